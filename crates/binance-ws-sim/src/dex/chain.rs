//! The simulated Binance Chain: block height, trading pairs with a price-time order book each, balances
//! per address, and the wire messages (built here with `json!`, from `ws-streams.md`) that every change
//! produces.

use std::collections::{BTreeMap, HashMap, VecDeque};

use rust_decimal::Decimal;
use serde_json::{json, Value};

/// Order side as the chain codes it (`ws-streams.md`, Orders: 1 Buy, 2 Sell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DexSide {
    /// Code 1.
    Buy,
    /// Code 2.
    Sell,
}

impl DexSide {
    fn code(self) -> u8 {
        match self {
            DexSide::Buy => 1,
            DexSide::Sell => 2,
        }
    }
}

/// Time in force (`ws-streams.md`, Orders: 1 Good Till Expire, 3 Immediate Or Cancel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DexTimeInForce {
    /// Code 1: rests in the book until filled or canceled.
    Gte,
    /// Code 3: what does not fill at once is dropped.
    Ioc,
}

impl DexTimeInForce {
    fn code(self) -> u8 {
        match self {
            DexTimeInForce::Gte => 1,
            DexTimeInForce::Ioc => 3,
        }
    }
}

/// Order type code: 2 is LIMIT, the only type the chain has.
const LIMIT: u8 = 2;

/// Why a control request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DexError {
    /// The symbol is not listed.
    #[error("unknown symbol {0:?}")]
    UnknownSymbol(String),
    /// Price or quantity not positive, or an empty transfer.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The order is not open.
    #[error("no open order {0:?}")]
    UnknownOrder(String),
    /// Not enough free balance.
    #[error("insufficient {asset} balance for {address}: need {need}, free {free}")]
    Insufficient {
        /// The address.
        address: String,
        /// The asset.
        asset: String,
        /// Needed.
        need: Decimal,
        /// Available.
        free: Decimal,
    },
}

/// A trading pair, `BASE_QUOTE` in DEX style (`BNB_BTCB-1DE`).
#[derive(Debug, Clone)]
pub struct DexPair {
    /// Base asset (`BNB`).
    pub base: String,
    /// Quote asset (`BTCB-1DE`).
    pub quote: String,
    /// Price to start from when there are no trades yet.
    pub ref_price: Decimal,
}

impl DexPair {
    /// A pair with its reference price.
    pub fn new(base: &str, quote: &str, ref_price: Decimal) -> DexPair {
        DexPair { base: base.into(), quote: quote.into(), ref_price }
    }

    /// `BASE_QUOTE`.
    pub fn symbol(&self) -> String {
        format!("{}_{}", self.base, self.quote)
    }
}

/// What the chain publishes to the connections (already in wire form where it does not depend on the
/// subscriber).
#[derive(Debug, Clone)]
pub enum DexFeed {
    /// `orders` data (an array of executionReport) for one address.
    Orders {
        /// The owner.
        address: String,
        /// The array.
        data: Value,
    },
    /// `accounts` data (one outboundAccountInfo) for one address.
    Account {
        /// The owner.
        address: String,
        /// The object (sent inside an array).
        data: Value,
    },
    /// `transfers` data (outboundTransferInfo), for the sender and every receiver.
    Transfer {
        /// Sender and receivers.
        parties: Vec<String>,
        /// The object.
        data: Value,
    },
    /// `trades` data (an array of trade) of one symbol.
    Trades {
        /// The symbol.
        symbol: String,
        /// The array.
        data: Value,
    },
    /// `marketDiff` data (depthUpdate) of one symbol.
    Diff {
        /// The symbol.
        symbol: String,
        /// The object.
        data: Value,
    },
    /// The book of a symbol changed: `marketDepth*` subscribers get a fresh snapshot.
    DepthChanged {
        /// The symbol.
        symbol: String,
    },
    /// A new block.
    Block {
        /// Its height.
        height: u64,
    },
}

#[derive(Debug, Clone)]
struct Resting {
    id: String,
    address: String,
    side: DexSide,
    price: Decimal,
    qty: Decimal,
    filled: Decimal,
    fee: Decimal,
    created_ns: u64,
}

#[derive(Debug, Clone)]
struct TradeRec {
    id: String,
    price: Decimal,
    qty: Decimal,
    time_ms: u64,
}

#[derive(Debug)]
struct Market {
    pair: DexPair,
    bids: BTreeMap<Decimal, VecDeque<Resting>>,
    asks: BTreeMap<Decimal, VecDeque<Resting>>,
    update_id: u64,
    trades: VecDeque<TradeRec>,
    last_price: Decimal,
    last_qty: Decimal,
}

/// Trades kept per symbol for klines and tickers.
const MAX_TRADES: usize = 50_000;
const DAY_MS: u64 = 86_400_000;

/// Free, locked and frozen amounts of one asset.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DexBalance {
    /// Free.
    pub free: Decimal,
    /// Locked in open orders.
    pub locked: Decimal,
    /// Frozen.
    pub frozen: Decimal,
}

/// The result of placing an order.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedOrder {
    /// Its id (`<ADDRESS HEX>-<sequence>`, as the chain forms them).
    pub order_id: String,
    /// The last status sent for it (`Ack`, `PartialFill`, `FullyFill`, `IocNoFill`, `Expired`, `FailedBlocking`).
    pub status: String,
    /// Quantity filled at once.
    pub filled: Decimal,
}

/// The chain state.
#[derive(Debug)]
pub struct Chain {
    height: u64,
    markets: BTreeMap<String, Market>,
    accounts: BTreeMap<String, BTreeMap<String, DexBalance>>,
    order_seq: HashMap<String, u64>,
    trade_seq: u64,
    tx_seq: u64,
}

/// Nanoseconds since the epoch.
pub fn now_ns() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
}

/// Amounts go out with 8 decimals, as the chain writes them.
pub fn amt(d: Decimal) -> String {
    format!("{:.8}", d.round_dp(8))
}

fn hex_of(seed: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, seed.as_bytes());
    hex::encode_upper(digest.as_ref())
}

impl Chain {
    /// A chain at height 1 with these pairs and funded addresses.
    pub fn new(pairs: &[DexPair], funded: &[(String, Vec<(String, Decimal)>)]) -> Chain {
        let mut markets = BTreeMap::new();
        for p in pairs {
            markets.insert(
                p.symbol(),
                Market {
                    pair: p.clone(),
                    bids: BTreeMap::new(),
                    asks: BTreeMap::new(),
                    update_id: 0,
                    trades: VecDeque::new(),
                    last_price: p.ref_price,
                    last_qty: Decimal::ZERO,
                },
            );
        }
        let mut accounts: BTreeMap<String, BTreeMap<String, DexBalance>> = BTreeMap::new();
        for (addr, coins) in funded {
            let acct = accounts.entry(addr.clone()).or_default();
            for (asset, amount) in coins {
                acct.entry(asset.clone()).or_default().free += *amount;
            }
        }
        Chain { height: 1, markets, accounts, order_seq: HashMap::new(), trade_seq: 0, tx_seq: 0 }
    }

    /// The current block height.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// Listed symbols.
    pub fn symbols(&self) -> Vec<String> {
        self.markets.keys().cloned().collect()
    }

    /// The listed symbol matching `s` case-insensitively.
    pub fn find_symbol(&self, s: &str) -> Option<String> {
        self.markets.keys().find(|k| k.eq_ignore_ascii_case(s)).cloned()
    }

    /// The last trade price of a symbol.
    pub fn last_price(&self, symbol: &str) -> Option<Decimal> {
        self.markets.get(symbol).map(|m| m.last_price)
    }

    /// Best bid and ask.
    pub fn best(&self, symbol: &str) -> Option<(Option<Decimal>, Option<Decimal>)> {
        self.markets.get(symbol).map(|m| (m.bids.keys().next_back().copied(), m.asks.keys().next().copied()))
    }

    /// Number of open orders per side (bids, asks).
    pub fn open_orders(&self, symbol: &str) -> (usize, usize) {
        self.markets
            .get(symbol)
            .map(|m| (m.bids.values().map(|q| q.len()).sum(), m.asks.values().map(|q| q.len()).sum()))
            .unwrap_or((0, 0))
    }

    /// The oldest open order of `address` on one side, for the activity generator's housekeeping.
    pub fn oldest_order(&self, symbol: &str, side: DexSide) -> Option<(String, String)> {
        let m = self.markets.get(symbol)?;
        let book = if side == DexSide::Buy { &m.bids } else { &m.asks };
        book.values().flatten().min_by_key(|o| o.created_ns).map(|o| (o.address.clone(), o.id.clone()))
    }

    /// Balances of an address.
    pub fn balances(&self, address: &str) -> BTreeMap<String, DexBalance> {
        self.accounts.get(address).cloned().unwrap_or_default()
    }

    /// Adds free balance (a deposit; publishes an account update).
    pub fn fund(&mut self, address: &str, asset: &str, amount: Decimal) -> Vec<DexFeed> {
        self.accounts.entry(address.into()).or_default().entry(asset.into()).or_default().free += amount;
        vec![self.account_feed(address)]
    }

    /// Moves to the next block.
    pub fn advance(&mut self) -> DexFeed {
        self.height += 1;
        DexFeed::Block { height: self.height }
    }

    fn account_feed(&self, address: &str) -> DexFeed {
        let balances: Vec<Value> = self
            .balances(address)
            .iter()
            .map(|(a, b)| json!({"a": a, "f": amt(b.free), "l": amt(b.locked), "r": amt(b.frozen)}))
            .collect();
        DexFeed::Account {
            address: address.into(),
            data: json!({"e": "outboundAccountInfo", "E": self.height, "B": balances}),
        }
    }

    fn balance_mut(&mut self, address: &str, asset: &str) -> &mut DexBalance {
        self.accounts.entry(address.into()).or_default().entry(asset.into()).or_default()
    }

    #[allow(clippy::too_many_arguments)]
    fn order_json(
        &self,
        symbol: &str,
        o: &Resting,
        tif: DexTimeInForce,
        exec: &str,
        status: &str,
        last: (Decimal, Decimal),
        trade_id: &str,
        assets: (&str, &str),
    ) -> Value {
        // Each side pays its fee in the asset it receives: buyers in the base, sellers in the quote.
        let fee_asset = if o.side == DexSide::Buy { assets.0 } else { assets.1 };
        let fee = if o.fee.is_zero() { String::new() } else { format!("{}{}", amt(o.fee), fee_asset) };
        json!({
            "e": "executionReport", "E": self.height, "s": symbol,
            "S": o.side.code(), "o": LIMIT, "f": tif.code(),
            "q": amt(o.qty), "p": amt(o.price), "x": exec, "X": status, "i": o.id,
            "l": amt(last.0), "z": amt(o.filled), "L": amt(last.1), "n": fee,
            "T": now_ns(), "t": trade_id, "O": o.created_ns,
        })
    }

    /// Places a limit order for `address` and matches it against the book (price-time priority, at the
    /// resting order's price). Returns the order's outcome and the messages it caused.
    pub fn place(
        &mut self,
        address: &str,
        symbol: &str,
        side: DexSide,
        price: Decimal,
        qty: Decimal,
        tif: DexTimeInForce,
    ) -> Result<(PlacedOrder, Vec<DexFeed>), DexError> {
        let symbol = self.find_symbol(symbol).ok_or_else(|| DexError::UnknownSymbol(symbol.into()))?;
        if price <= Decimal::ZERO || qty <= Decimal::ZERO {
            return Err(DexError::Invalid(format!("price {price} and quantity {qty} must be positive")));
        }
        let price = price.round_dp(8);
        let qty = qty.round_dp(8);
        let (base, quote) = {
            let m = &self.markets[&symbol];
            (m.pair.base.clone(), m.pair.quote.clone())
        };
        let seq = self.order_seq.entry(address.into()).or_insert(0);
        *seq += 1;
        let id = format!("{}-{}", &hex_of(address)[..40], seq);
        let mut taker = Resting {
            id: id.clone(),
            address: address.into(),
            side,
            price,
            qty,
            filled: Decimal::ZERO,
            fee: Decimal::ZERO,
            created_ns: now_ns(),
        };
        let mut out = Vec::new();
        let mut by_addr: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        // Lock the funds the order needs.
        let (lock_asset, need) = match side {
            DexSide::Buy => (quote.clone(), (price * qty).round_dp(8)),
            DexSide::Sell => (base.clone(), qty),
        };
        let free = self.balances(address).get(&lock_asset).map(|b| b.free).unwrap_or_default();
        if free < need {
            let v = self.order_json(
                &symbol,
                &taker,
                tif,
                "NEW",
                "FailedBlocking",
                (Decimal::ZERO, Decimal::ZERO),
                "",
                (&base, &quote),
            );
            out.push(DexFeed::Orders { address: address.into(), data: json!([v]) });
            let placed = PlacedOrder { order_id: id, status: "FailedBlocking".into(), filled: Decimal::ZERO };
            return Ok((placed, out));
        }
        {
            let b = self.balance_mut(address, &lock_asset);
            b.free -= need;
            b.locked += need;
        }
        let ack =
            self.order_json(&symbol, &taker, tif, "NEW", "Ack", (Decimal::ZERO, Decimal::ZERO), "", (&base, &quote));
        by_addr.entry(address.into()).or_default().push(ack);

        let mut trades = Vec::new();
        let mut changed: BTreeMap<(bool, Decimal), ()> = BTreeMap::new();
        let mut touched: Vec<String> = vec![address.to_string()];
        let mut status = "Ack".to_string();
        loop {
            let remaining = taker.qty - taker.filled;
            if remaining.is_zero() {
                break;
            }
            let m = self.markets.get_mut(&symbol).expect("listed");
            let best = match side {
                DexSide::Buy => m.asks.keys().next().copied().filter(|p| *p <= price),
                DexSide::Sell => m.bids.keys().next_back().copied().filter(|p| *p >= price),
            };
            let Some(level) = best else { break };
            let book = if side == DexSide::Buy { &mut m.asks } else { &mut m.bids };
            let queue = book.get_mut(&level).expect("level exists");
            let maker = queue.front_mut().expect("levels are never empty");
            let fill = remaining.min(maker.qty - maker.filled);
            maker.filled += fill;
            taker.filled += fill;
            let notional = (fill * level).round_dp(8);
            // Fees: 0.1 % of what each side receives, in the asset received.
            let (buyer_fee, seller_fee) =
                ((fill / Decimal::from(1000)).round_dp(8), (notional / Decimal::from(1000)).round_dp(8));
            let maker_fee = if side == DexSide::Buy { seller_fee } else { buyer_fee };
            let taker_fee = if side == DexSide::Buy { buyer_fee } else { seller_fee };
            maker.fee += maker_fee;
            taker.fee += taker_fee;
            let maker_done = maker.filled == maker.qty;
            let maker_snapshot = maker.clone();
            if maker_done {
                queue.pop_front();
                if queue.is_empty() {
                    book.remove(&level);
                }
            }
            changed.insert((side == DexSide::Sell, level), ());
            self.trade_seq += 1;
            let trade_id = format!("{}-{}", self.height, self.trade_seq);
            let now_ms = now_ns() / 1_000_000;
            let m = self.markets.get_mut(&symbol).expect("listed");
            m.trades.push_back(TradeRec { id: trade_id.clone(), price: level, qty: fill, time_ms: now_ms });
            if m.trades.len() > MAX_TRADES {
                m.trades.pop_front();
            }
            m.last_price = level;
            m.last_qty = fill;
            let (buyer, seller) = match side {
                DexSide::Buy => (&taker, &maker_snapshot),
                DexSide::Sell => (&maker_snapshot, &taker),
            };
            let (buyer_addr, seller_addr) = (buyer.address.clone(), seller.address.clone());
            let (buyer_limit, buyer_id, seller_id) = (buyer.price, buyer.id.clone(), seller.id.clone());
            trades.push(json!({
                "e": "trade", "E": self.height, "s": symbol, "t": trade_id,
                "p": amt(level), "q": amt(fill), "b": buyer_id, "a": seller_id, "T": now_ns(),
                "sa": seller_addr, "ba": buyer_addr,
                // tickType: 1 SellTaker, 2 BuyTaker.
                "tt": if side == DexSide::Buy { 2 } else { 1 },
            }));
            // Settle: the buyer's lock was at its limit price; the difference goes back to free.
            {
                let b = self.balance_mut(&buyer_addr, &quote);
                b.locked -= (fill * buyer_limit).round_dp(8);
                b.free += (fill * buyer_limit).round_dp(8) - notional;
            }
            self.balance_mut(&buyer_addr, &base).free += fill - buyer_fee;
            self.balance_mut(&seller_addr, &base).locked -= fill;
            self.balance_mut(&seller_addr, &quote).free += notional - seller_fee;
            for a in [&buyer_addr, &seller_addr] {
                if !touched.contains(a) {
                    touched.push(a.clone());
                }
            }
            let maker_status = if maker_done { "FullyFill" } else { "PartialFill" };
            let mv = self.order_json(
                &symbol,
                &maker_snapshot,
                DexTimeInForce::Gte,
                "TRADE",
                maker_status,
                (fill, level),
                &trade_id,
                (&base, &quote),
            );
            by_addr.entry(maker_snapshot.address.clone()).or_default().push(mv);
            status = if taker.filled == taker.qty { "FullyFill".into() } else { "PartialFill".into() };
            let tv = self.order_json(&symbol, &taker, tif, "TRADE", &status, (fill, level), &trade_id, (&base, &quote));
            by_addr.entry(address.into()).or_default().push(tv);
        }
        let remaining = taker.qty - taker.filled;
        if !remaining.is_zero() {
            match tif {
                DexTimeInForce::Gte => {
                    let m = self.markets.get_mut(&symbol).expect("listed");
                    let book = if side == DexSide::Buy { &mut m.bids } else { &mut m.asks };
                    book.entry(price).or_default().push_back(taker.clone());
                    changed.insert((side == DexSide::Buy, price), ());
                }
                DexTimeInForce::Ioc => {
                    self.release(address, side, price, remaining, &base, &quote);
                    status = if taker.filled.is_zero() { "IocNoFill".into() } else { "Expired".into() };
                    let exec = if taker.filled.is_zero() { "NEW" } else { "EXPIRED" };
                    let v = self.order_json(
                        &symbol,
                        &taker,
                        tif,
                        exec,
                        &status,
                        (Decimal::ZERO, Decimal::ZERO),
                        "",
                        (&base, &quote),
                    );
                    by_addr.entry(address.into()).or_default().push(v);
                }
            }
        }
        for (addr, list) in by_addr {
            out.push(DexFeed::Orders { address: addr, data: Value::Array(list) });
        }
        if !trades.is_empty() {
            out.push(DexFeed::Trades { symbol: symbol.clone(), data: Value::Array(trades) });
        }
        for a in &touched {
            out.push(self.account_feed(a));
        }
        out.extend(self.book_changed(&symbol, changed.into_keys().collect()));
        Ok((PlacedOrder { order_id: id, status, filled: taker.filled }, out))
    }

    fn release(&mut self, address: &str, side: DexSide, price: Decimal, remaining: Decimal, base: &str, quote: &str) {
        let (asset, amount) = match side {
            DexSide::Buy => (quote, (remaining * price).round_dp(8)),
            DexSide::Sell => (base, remaining),
        };
        let b = self.balance_mut(address, asset);
        b.locked -= amount;
        b.free += amount;
    }

    /// Cancels an open order of `address`.
    pub fn cancel(&mut self, address: &str, symbol: &str, order_id: &str) -> Result<Vec<DexFeed>, DexError> {
        let symbol = self.find_symbol(symbol).ok_or_else(|| DexError::UnknownSymbol(symbol.into()))?;
        let m = self.markets.get_mut(&symbol).expect("listed");
        let (base, quote) = (m.pair.base.clone(), m.pair.quote.clone());
        let mut found = None;
        for (is_bid, book) in [(true, &mut m.bids), (false, &mut m.asks)] {
            let hit = book
                .iter()
                .find_map(|(p, q)| q.iter().position(|o| o.id == order_id && o.address == address).map(|i| (*p, i)));
            if let Some((p, i)) = hit {
                let queue = book.get_mut(&p).expect("level");
                let o = queue.remove(i).expect("index");
                if queue.is_empty() {
                    book.remove(&p);
                }
                found = Some((is_bid, o));
                break;
            }
        }
        let Some((is_bid, o)) = found else { return Err(DexError::UnknownOrder(order_id.into())) };
        self.release(address, o.side, o.price, o.qty - o.filled, &base, &quote);
        let v = self.order_json(
            &symbol,
            &o,
            DexTimeInForce::Gte,
            "CANCELED",
            "Canceled",
            (Decimal::ZERO, Decimal::ZERO),
            "",
            (&base, &quote),
        );
        let mut out = vec![DexFeed::Orders { address: address.into(), data: json!([v]) }, self.account_feed(address)];
        out.extend(self.book_changed(&symbol, vec![(is_bid, o.price)]));
        Ok(out)
    }

    fn book_changed(&mut self, symbol: &str, levels: Vec<(bool, Decimal)>) -> Vec<DexFeed> {
        if levels.is_empty() {
            return Vec::new();
        }
        let m = self.markets.get_mut(symbol).expect("listed");
        m.update_id += 1;
        let qty = |book: &BTreeMap<Decimal, VecDeque<Resting>>, p: &Decimal| {
            book.get(p).map(|q| q.iter().map(|o| o.qty - o.filled).sum()).unwrap_or(Decimal::ZERO)
        };
        let mut bids = Vec::new();
        let mut asks = Vec::new();
        for (is_bid, p) in levels {
            if is_bid {
                bids.push(json!([amt(p), amt(qty(&m.bids, &p))]));
            } else {
                asks.push(json!([amt(p), amt(qty(&m.asks, &p))]));
            }
        }
        let data = json!({"e": "depthUpdate", "E": now_ns() / 1_000_000, "s": symbol, "b": bids, "a": asks});
        vec![DexFeed::Diff { symbol: symbol.into(), data }, DexFeed::DepthChanged { symbol: symbol.into() }]
    }

    /// Transfers coins from one address to one or more receivers (a multi-send when several) with a memo.
    pub fn transfer(
        &mut self,
        from: &str,
        outputs: &[(String, Vec<(String, Decimal)>)],
        memo: &str,
    ) -> Result<(String, Vec<DexFeed>), DexError> {
        if outputs.is_empty() || outputs.iter().any(|(_, c)| c.is_empty()) {
            return Err(DexError::Invalid("a transfer needs at least one receiver and one coin".into()));
        }
        let mut need: BTreeMap<String, Decimal> = BTreeMap::new();
        for (_, coins) in outputs {
            for (asset, amount) in coins {
                if *amount <= Decimal::ZERO {
                    return Err(DexError::Invalid(format!("amount {amount} of {asset} must be positive")));
                }
                *need.entry(asset.clone()).or_default() += *amount;
            }
        }
        for (asset, n) in &need {
            let free = self.balances(from).get(asset).map(|b| b.free).unwrap_or_default();
            if free < *n {
                return Err(DexError::Insufficient { address: from.into(), asset: asset.clone(), need: *n, free });
            }
        }
        let mut parties = vec![from.to_string()];
        for (to, coins) in outputs {
            for (asset, amount) in coins {
                self.balance_mut(from, asset).free -= *amount;
                self.balance_mut(to, asset).free += *amount;
            }
            if !parties.contains(to) {
                parties.push(to.clone());
            }
        }
        self.tx_seq += 1;
        let hash = hex_of(&format!("{from}/{}/{}", self.height, self.tx_seq));
        let t: Vec<Value> = outputs
            .iter()
            .map(|(to, coins)| {
                let c: Vec<Value> = coins.iter().map(|(a, n)| json!({"a": a, "A": amt(*n)})).collect();
                json!({"o": to, "c": c})
            })
            .collect();
        let data = json!({"e": "outboundTransferInfo", "E": self.height, "H": hash, "M": memo, "f": from, "t": t});
        let mut out = vec![DexFeed::Transfer { parties: parties.clone(), data }];
        for p in &parties {
            out.push(self.account_feed(p));
        }
        Ok((hash, out))
    }

    /// The `marketDepth` snapshot with at most `levels` levels a side.
    pub fn depth(&self, symbol: &str, levels: usize) -> Value {
        let Some(m) = self.markets.get(symbol) else { return Value::Null };
        let side = |it: &mut dyn Iterator<Item = (&Decimal, &VecDeque<Resting>)>| -> Vec<Value> {
            it.take(levels)
                .map(|(p, q)| json!([amt(*p), amt(q.iter().map(|o| o.qty - o.filled).sum::<Decimal>())]))
                .collect()
        };
        json!({
            "lastUpdateId": m.update_id, "symbol": symbol,
            "bids": side(&mut m.bids.iter().rev()), "asks": side(&mut m.asks.iter()),
        })
    }

    fn window(&self, symbol: &str, from_ms: u64, to_ms: u64) -> Vec<&TradeRec> {
        self.markets
            .get(symbol)
            .map(|m| m.trades.iter().filter(|t| t.time_ms >= from_ms && t.time_ms < to_ms).collect())
            .unwrap_or_default()
    }

    /// The current (open) kline of a symbol for an interval code (`1m` .. `1M`), `None` for an unknown interval.
    pub fn kline(&self, symbol: &str, interval: &str, now_ms: u64) -> Option<Value> {
        let m = self.markets.get(symbol)?;
        let (start, end) = interval_bounds(interval, now_ms)?;
        let trades = self.window(symbol, start, end);
        let last = m.last_price;
        let (o, c) = match (trades.first(), trades.last()) {
            (Some(f), Some(l)) => (f.price, l.price),
            _ => (last, last),
        };
        let h = trades.iter().map(|t| t.price).max().unwrap_or(last);
        let l = trades.iter().map(|t| t.price).min().unwrap_or(last);
        let v: Decimal = trades.iter().map(|t| t.qty).sum();
        let q: Decimal = trades.iter().map(|t| t.qty * t.price).sum();
        let first_id = trades.first().map(|t| t.id.clone()).unwrap_or_else(|| "0".into());
        let last_id = trades.last().map(|t| t.id.clone()).unwrap_or_else(|| "0".into());
        Some(json!({
            "e": "kline", "E": now_ms, "s": symbol,
            "k": {
                "t": start, "T": end, "s": symbol, "i": interval, "f": first_id, "L": last_id,
                "o": amt(o), "c": amt(c), "h": amt(h), "l": amt(l), "v": amt(v), "n": trades.len(),
                "x": false, "q": amt(q),
            }
        }))
    }

    /// The 24-hour ticker of a symbol.
    pub fn ticker(&self, symbol: &str, now_ms: u64) -> Option<Value> {
        let m = self.markets.get(symbol)?;
        let from = now_ms.saturating_sub(DAY_MS);
        let trades = self.window(symbol, from, now_ms + 1);
        let prev_close = m.trades.iter().rev().find(|t| t.time_ms < from).map(|t| t.price);
        let last = m.last_price;
        let open = trades.first().map(|t| t.price).unwrap_or(last);
        let high = trades.iter().map(|t| t.price).max().unwrap_or(last);
        let low = trades.iter().map(|t| t.price).min().unwrap_or(last);
        let v: Decimal = trades.iter().map(|t| t.qty).sum();
        let q: Decimal = trades.iter().map(|t| t.qty * t.price).sum();
        let change = last - open;
        let pct = if open.is_zero() { Decimal::ZERO } else { (change / open * Decimal::from(100)).round_dp(2) };
        let w = if v.is_zero() { last } else { (q / v).round_dp(8) };
        let level = |book: &BTreeMap<Decimal, VecDeque<Resting>>, best: Option<&Decimal>| -> (Decimal, Decimal) {
            best.map(|p| (*p, book[p].iter().map(|o| o.qty - o.filled).sum())).unwrap_or_default()
        };
        let (bp, bq) = level(&m.bids, m.bids.keys().next_back());
        let (ap, aq) = level(&m.asks, m.asks.keys().next());
        Some(json!({
            "e": "24hrTicker", "E": now_ms, "s": symbol,
            "p": amt(change), "P": format!("{:.2}", pct), "w": amt(w), "x": amt(prev_close.unwrap_or(open)),
            "c": amt(last), "Q": amt(m.last_qty), "b": amt(bp), "B": amt(bq), "a": amt(ap), "A": amt(aq),
            "o": amt(open), "h": amt(high), "l": amt(low), "v": amt(v), "q": amt(q),
            "O": from, "C": now_ms,
            "F": trades.first().map(|t| t.id.clone()).unwrap_or_else(|| "0".into()),
            "L": trades.last().map(|t| t.id.clone()).unwrap_or_else(|| "0".into()),
            "n": trades.len(),
        }))
    }

    /// The 24-hour mini ticker of a symbol.
    pub fn mini_ticker(&self, symbol: &str, now_ms: u64) -> Option<Value> {
        let t = self.ticker(symbol, now_ms)?;
        Some(json!({
            "e": "24hrMiniTicker", "E": now_ms, "s": symbol,
            "c": t["c"], "o": t["o"], "h": t["h"], "l": t["l"], "v": t["v"], "q": t["q"],
        }))
    }
}

/// Kline intervals of `ws-streams.md` and their lengths in ms (`1M` is a calendar month).
pub const INTERVALS: [&str; 15] =
    ["1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M"];

/// Start and end (start of the next) of the interval containing `now_ms`.
pub fn interval_bounds(interval: &str, now_ms: u64) -> Option<(u64, u64)> {
    const MIN: u64 = 60_000;
    let len = match interval {
        "1m" => MIN,
        "3m" => 3 * MIN,
        "5m" => 5 * MIN,
        "15m" => 15 * MIN,
        "30m" => 30 * MIN,
        "1h" => 60 * MIN,
        "2h" => 120 * MIN,
        "4h" => 240 * MIN,
        "6h" => 360 * MIN,
        "8h" => 480 * MIN,
        "12h" => 720 * MIN,
        "1d" => DAY_MS,
        "3d" => 3 * DAY_MS,
        "1w" => {
            // Weeks start on Monday; 1970-01-01 was a Thursday (Monday 1969-12-29 is 3 days before).
            let shifted = now_ms + 3 * DAY_MS;
            let start = shifted / (7 * DAY_MS) * (7 * DAY_MS) - 3 * DAY_MS;
            return Some((start, start + 7 * DAY_MS));
        }
        "1M" => {
            let days = (now_ms / DAY_MS) as i64;
            let (y, m, _) = civil_from_days(days);
            let start = days_from_civil(y, m, 1) as u64 * DAY_MS;
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            let end = days_from_civil(ny, nm, 1) as u64 * DAY_MS;
            return Some((start, end));
        }
        _ => return None,
    };
    let start = now_ms / len * len;
    Some((start, start + len))
}

// Howard Hinnant's civil calendar algorithms.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> Chain {
        let funded = vec![
            (
                "bnb1a".to_string(),
                vec![("BNB".to_string(), Decimal::from(100)), ("BTCB-1DE".to_string(), Decimal::from(10))],
            ),
            (
                "bnb1b".to_string(),
                vec![("BNB".to_string(), Decimal::from(100)), ("BTCB-1DE".to_string(), Decimal::from(10))],
            ),
        ];
        Chain::new(&[DexPair::new("BNB", "BTCB-1DE", "0.0075".parse().unwrap())], &funded)
    }

    #[test]
    fn crossing_orders_trade_at_the_makers_price_and_settle() {
        let mut c = chain();
        let (maker, _) = c
            .place(
                "bnb1a",
                "bnb_btcb-1de",
                DexSide::Sell,
                "0.0075".parse().unwrap(),
                Decimal::from(10),
                DexTimeInForce::Gte,
            )
            .unwrap();
        assert_eq!(maker.status, "Ack");
        let (taker, feed) = c
            .place(
                "bnb1b",
                "BNB_BTCB-1DE",
                DexSide::Buy,
                "0.008".parse().unwrap(),
                Decimal::from(4),
                DexTimeInForce::Gte,
            )
            .unwrap();
        assert_eq!(taker.status, "FullyFill");
        assert!(feed.iter().any(|f| matches!(f, DexFeed::Trades { .. })));
        let b = c.balances("bnb1b");
        assert_eq!(b["BNB"].free, "103.996".parse::<Decimal>().unwrap());
        assert_eq!(b["BTCB-1DE"].free, "9.97".parse::<Decimal>().unwrap());
        assert_eq!(b["BTCB-1DE"].locked, Decimal::ZERO);
        assert_eq!(c.balances("bnb1a")["BNB"].locked, Decimal::from(6));
        let depth = c.depth("BNB_BTCB-1DE", 20);
        assert_eq!(depth["asks"][0], json!(["0.00750000", "6.00000000"]));
        let out = c.cancel("bnb1a", "BNB_BTCB-1DE", &maker.order_id).unwrap();
        assert!(!out.is_empty());
        assert_eq!(c.balances("bnb1a")["BNB"].locked, Decimal::ZERO);
    }

    #[test]
    fn interval_bounds_follow_the_calendar() {
        // 2024-02-15T12:00:00Z
        let t = 1_707_998_400_000;
        assert_eq!(interval_bounds("1M", t), Some((1_706_745_600_000, 1_709_251_200_000)));
        let (ws, we) = interval_bounds("1w", t).unwrap();
        assert_eq!(ws, 1_707_696_000_000); // Monday 2024-02-12
        assert_eq!(we - ws, 7 * DAY_MS);
        for i in INTERVALS {
            let (s, e) = interval_bounds(i, t).unwrap();
            assert!(s <= t && t < e, "{i}");
        }
    }
}
