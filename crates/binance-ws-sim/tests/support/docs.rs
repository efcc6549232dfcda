//! Reading the docs' example payloads.
#![allow(dead_code)] // shared by several test binaries, each using a part

/// Removes `// comments` outside strings so that the docs' javascript examples parse as JSON.
pub fn strip_comments(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines() {
        let (mut in_str, mut prev, mut cut) = (false, ' ', line.len());
        for (i, c) in line.char_indices() {
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            }
            if !in_str && c == '/' && prev == '/' {
                cut = i - 1;
                break;
            }
            prev = c;
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}
