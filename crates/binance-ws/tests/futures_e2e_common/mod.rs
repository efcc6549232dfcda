//! Shared by the `futures_e2e_*` tests: a quiet local exchange with three futures accounts (the trader under test,
//! a market maker and a "mover" whose trades move the last price), the client's rules fed from the exchange's own
//! exchangeInfo filters, one view of the two products' order and position types, and a recorder of the trader's
//! user data stream.
#![allow(dead_code)]

use std::str::FromStr;
use std::time::Duration;

use binance_ws::api::futures::{Api, CoinMargined, FuturesProduct, NewOrder, UsdMargined};
use binance_ws::model::{Decimal, Filter, Side};
use binance_ws::usdm::{ExecutionType, OrderStatus, OrderType, PositionSide, TimeInForce};
use binance_ws::user_data::futures::{Notice, OrderUpdate, UserDataConfig, UserDataStream, UserEvent};
use binance_ws::validate::TradingRules;
use binance_ws::{coinm, usdm, Credentials, Env, Error};
use binance_ws_sim::config::{
    AccountConfig, AccountKey, DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM, DEFAULT_HMAC_API_KEY,
    DEFAULT_HMAC_SECRET,
};
use binance_ws_sim::futures::Product as SimProduct;
use binance_ws_sim::{Sim, SimConfig};
use futures::StreamExt;
use tokio::time::{sleep_until, Instant};

/// Generous bound for anything that waits on the network.
pub const LIMIT: Duration = Duration::from_secs(30);

/// The third account's HMAC key and secret (the two default accounts are the trader and the maker).
pub const MOVER_KEY: &str = "moverKey0000000000000000000000000000000000000000000000000000000";
pub const MOVER_SECRET: &str = "moverSecret000000000000000000000000000000000000000000000000000000";

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A local exchange with no simulated traders and a third account; `tune` adjusts the config.
pub async fn start_sim(tune: impl FnOnce(&mut SimConfig)) -> Sim {
    let mut cfg = SimConfig { activity: None, ..Default::default() };
    cfg.accounts.push(AccountConfig {
        api_key: MOVER_KEY.into(),
        key: AccountKey::Hmac(MOVER_SECRET.into()),
        balances: Vec::new(),
    });
    tune(&mut cfg);
    Sim::start(cfg).await.expect("local exchange starts")
}

pub fn env(sim: &Sim) -> Env {
    Env::Local(sim.base_url())
}

/// An order as either product's order methods return it.
#[derive(Debug, Clone, PartialEq)]
pub struct Snap {
    pub order_id: u64,
    pub client_order_id: String,
    pub status: OrderStatus,
    pub order_type: OrderType,
    pub orig_type: OrderType,
    pub executed: Decimal,
    pub avg_price: Option<Decimal>,
    pub reduce_only: bool,
    pub close_position: bool,
    pub position_side: PositionSide,
}

/// A position as either product's `account.position` returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct Pos {
    pub symbol: String,
    pub side: PositionSide,
    pub amount: Decimal,
    pub entry: Decimal,
}

/// What the tests need to know about a product, and its calls that have a product-specific type.
#[allow(async_fn_in_trait)]
pub trait Kit: FuturesProduct + Sized {
    const SIM: SimProduct;
    const NAME: &'static str;
    /// The contract traded.
    const SYMBOL: &'static str;
    /// The asset its margin, PnL and commission are kept in.
    const MARGIN: &'static str;
    /// The quantity of one test order.
    fn unit() -> Decimal;
    fn snap(o: &Self::Order) -> Snap;
    async fn status(api: &Api<Self>, order_id: u64) -> Result<Snap, Error>;
    async fn cancel(api: &Api<Self>, order_id: u64) -> Result<Snap, Error>;
    /// `order.status` by `origClientOrderId`.
    async fn status_by_client(api: &Api<Self>, client_order_id: &str) -> Result<(Snap, u64), Error>;
    /// `account.position` of [`Kit::SYMBOL`] (the sides the mode has).
    async fn positions(api: &Api<Self>) -> Result<Vec<Pos>, Error>;
    /// `account.balance`: the margin asset's wallet balance.
    async fn wallet(api: &Api<Self>) -> Result<Decimal, Error>;
    /// `account.status`: the margin asset's wallet balance and [`Kit::SYMBOL`]'s positions.
    async fn account(api: &Api<Self>) -> Result<(Decimal, Vec<Pos>), Error>;
    /// Realized PnL of closing `qty` of a long (`long`) or short position entered at `entry` at `exit`, in the
    /// margin asset.
    fn pnl(qty: Decimal, entry: Decimal, exit: Decimal, long: bool) -> Decimal;
}

impl Kit for UsdMargined {
    const SIM: SimProduct = SimProduct::UsdM;
    const NAME: &'static str = "USD-M";
    const SYMBOL: &'static str = "BTCUSDT";
    const MARGIN: &'static str = "USDT";
    fn unit() -> Decimal {
        d("0.010")
    }
    fn snap(o: &usdm::Order) -> Snap {
        Snap {
            order_id: o.order_id,
            client_order_id: o.client_order_id.clone(),
            status: o.status,
            order_type: o.order_type,
            orig_type: o.orig_type,
            executed: o.executed_qty,
            avg_price: o.avg_price,
            reduce_only: o.reduce_only,
            close_position: o.close_position,
            position_side: o.position_side,
        }
    }
    async fn status(api: &usdm::Api, order_id: u64) -> Result<Snap, Error> {
        api.order_status(Self::SYMBOL, order_id).await.map(|o| Self::snap(&o))
    }
    async fn cancel(api: &usdm::Api, order_id: u64) -> Result<Snap, Error> {
        api.cancel_order(Self::SYMBOL, order_id).await.map(|o| Self::snap(&o))
    }
    async fn status_by_client(api: &usdm::Api, cid: &str) -> Result<(Snap, u64), Error> {
        api.order_status(Self::SYMBOL, cid).await.map(|o| (Self::snap(&o), o.update_time))
    }
    async fn positions(api: &usdm::Api) -> Result<Vec<Pos>, Error> {
        let v = api.account_position().symbol(Self::SYMBOL).await?;
        Ok(v.into_iter()
            .map(|p| Pos { symbol: p.symbol, side: p.position_side, amount: p.position_amt, entry: p.entry_price })
            .collect())
    }
    async fn wallet(api: &usdm::Api) -> Result<Decimal, Error> {
        let v = api.account_balance().await?;
        v.into_iter().find(|b| b.asset == Self::MARGIN).map(|b| b.balance).ok_or(Error::Closed)
    }
    async fn account(api: &usdm::Api) -> Result<(Decimal, Vec<Pos>), Error> {
        let a = api.account_status().await?;
        let wallet =
            a.assets.iter().find(|x| x.asset == Self::MARGIN).map(|x| x.wallet_balance).ok_or(Error::Closed)?;
        let pos = a
            .positions
            .into_iter()
            .filter(|p| p.symbol == Self::SYMBOL)
            .map(|p| Pos { symbol: p.symbol, side: p.position_side, amount: p.position_amt, entry: p.entry_price })
            .collect();
        Ok((wallet, pos))
    }
    fn pnl(qty: Decimal, entry: Decimal, exit: Decimal, long: bool) -> Decimal {
        let per = if long { exit - entry } else { entry - exit };
        round8(per * qty)
    }
}

impl Kit for CoinMargined {
    const SIM: SimProduct = SimProduct::CoinM;
    const NAME: &'static str = "COIN-M";
    const SYMBOL: &'static str = "BTCUSD_PERP";
    const MARGIN: &'static str = "BTC";
    fn unit() -> Decimal {
        Decimal::ONE
    }
    fn snap(o: &coinm::Order) -> Snap {
        Snap {
            order_id: o.order_id,
            client_order_id: o.client_order_id.clone(),
            status: o.status,
            order_type: o.order_type,
            orig_type: o.orig_type,
            executed: o.executed_qty,
            avg_price: Some(o.avg_price),
            reduce_only: o.reduce_only,
            close_position: o.close_position,
            position_side: o.position_side,
        }
    }
    async fn status(api: &coinm::Api, order_id: u64) -> Result<Snap, Error> {
        api.order_status(Self::SYMBOL, order_id).await.map(|o| Self::snap(&o))
    }
    async fn cancel(api: &coinm::Api, order_id: u64) -> Result<Snap, Error> {
        api.cancel_order(Self::SYMBOL, order_id).await.map(|o| Self::snap(&o))
    }
    async fn status_by_client(api: &coinm::Api, cid: &str) -> Result<(Snap, u64), Error> {
        api.order_status(Self::SYMBOL, cid).await.map(|o| (Self::snap(&o), o.update_time))
    }
    async fn positions(api: &coinm::Api) -> Result<Vec<Pos>, Error> {
        let v = api.account_position().pair("BTCUSD").await?;
        Ok(v.into_iter()
            .filter(|p| p.symbol == Self::SYMBOL)
            .map(|p| Pos { symbol: p.symbol, side: p.position_side, amount: p.position_amt, entry: p.entry_price })
            .collect())
    }
    async fn wallet(api: &coinm::Api) -> Result<Decimal, Error> {
        let v = api.account_balance().await?;
        v.into_iter().find(|b| b.asset == Self::MARGIN).map(|b| b.balance).ok_or(Error::Closed)
    }
    async fn account(api: &coinm::Api) -> Result<(Decimal, Vec<Pos>), Error> {
        let a = api.account_status().await?;
        let wallet =
            a.assets.iter().find(|x| x.asset == Self::MARGIN).map(|x| x.wallet_balance).ok_or(Error::Closed)?;
        let pos = a
            .positions
            .into_iter()
            .filter(|p| p.symbol == Self::SYMBOL)
            .map(|p| Pos { symbol: p.symbol, side: p.position_side, amount: p.position_amt, entry: p.entry_price })
            .collect();
        Ok((wallet, pos))
    }
    /// Inverse contracts: 100 USD each, PnL in BTC = qty x 100 x (1/entry - 1/exit) for a long.
    fn pnl(qty: Decimal, entry: Decimal, exit: Decimal, long: bool) -> Decimal {
        let size = Decimal::ONE_HUNDRED;
        let per = size / entry - size / exit;
        let per = if long { per } else { -per };
        round8(per * qty)
    }
}

/// Money as the exchange books it: 8 decimals, half away from zero.
pub fn round8(x: Decimal) -> Decimal {
    x.round_dp_with_strategy(8, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// The symbol's rules built from the exchange's exchangeInfo filters, as a client would from the REST API.
pub fn rules_from_exchange<P: Kit>(sim: &Sim) -> Vec<TradingRules> {
    let info = sim.futures(P::SIM).exchange_info();
    info["symbols"]
        .as_array()
        .expect("symbols")
        .iter()
        .map(|s| {
            let filters: Vec<Filter> =
                serde_json::from_value(s["filters"].clone()).expect("the client decodes the futures filters");
            TradingRules::from_filters(s["symbol"].as_str().expect("symbol"), filters)
        })
        .collect()
}

/// The trader's user data stream and everything it delivered so far.
pub struct Feed {
    pub stream: UserDataStream,
    pub log: Vec<UserEvent>,
    /// Wall-clock epoch ms at which each event of `log` was read.
    pub read_ms: Vec<u64>,
}

impl Feed {
    pub async fn start<P: Kit>(api: &Api<P>, config: UserDataConfig) -> Feed {
        let stream = api.user_data_with(config).await.expect("user data stream starts");
        Feed { stream, log: Vec::new(), read_ms: Vec::new() }
    }

    /// Reads events until `done(log)` holds; panics after [`LIMIT`].
    pub async fn until(&mut self, what: &str, done: impl Fn(&[UserEvent]) -> bool) {
        let deadline = Instant::now() + LIMIT;
        while !done(&self.log) {
            tokio::select! {
                ev = self.stream.next() => {
                    let ev = ev.expect("the user data stream ended");
                    // Every frame the exchange sends decodes into a typed event.
                    assert!(
                        !matches!(ev, UserEvent::Unknown { .. } | UserEvent::Notice(Notice::Malformed { .. })),
                        "{ev:?}"
                    );
                    self.log.push(ev);
                    self.read_ms.push(binance_ws_sim::clock::now_ms());
                }
                _ = sleep_until(deadline) => panic!("timed out waiting for {what}; last events: {:#?}", tail(&self.log)),
            }
        }
    }

    /// Waits until the order reached a final state in the events.
    pub async fn until_final(&mut self, order_id: u64) {
        self.until(&format!("order {order_id} to end"), |l| final_update(l, order_id).is_some()).await;
    }

    /// Waits for the order's final update and, if it filled, the ACCOUNT_UPDATE after its last fill.
    pub async fn until_settled(&mut self, order_id: u64) {
        self.until_final(order_id).await;
        self.until(&format!("the ACCOUNT_UPDATE after order {order_id}"), |l| {
            let is_fill = |e: &UserEvent| {
                matches!(e, UserEvent::OrderTradeUpdate(u) if u.order.order_id == order_id
                    && u.order.execution_type == ExecutionType::Trade)
            };
            match l.iter().rposition(is_fill) {
                Some(i) => l[i..].iter().any(|e| matches!(e, UserEvent::AccountUpdate(_))),
                None => true,
            }
        })
        .await;
    }

    /// Waits until the order's events include one of this execution type and status.
    pub async fn until_update(&mut self, order_id: u64, x: ExecutionType, status: OrderStatus) {
        self.until(&format!("order {order_id} {x:?}/{status:?}"), |l| {
            updates(l, order_id).iter().any(|u| u.execution_type == x && u.status == status)
        })
        .await;
    }
}

fn tail(log: &[UserEvent]) -> &[UserEvent] {
    &log[log.len().saturating_sub(8)..]
}

/// The ORDER_TRADE_UPDATEs of one order, in arrival order.
pub fn updates(log: &[UserEvent], order_id: u64) -> Vec<&OrderUpdate> {
    log.iter()
        .filter_map(|e| match e {
            UserEvent::OrderTradeUpdate(u) if u.order.order_id == order_id => Some(&u.order),
            _ => None,
        })
        .collect()
}

/// The update that ended the order, if it ended.
pub fn final_update(log: &[UserEvent], order_id: u64) -> Option<&OrderUpdate> {
    updates(log, order_id).into_iter().find(|u| {
        matches!(
            u.status,
            OrderStatus::Filled | OrderStatus::Canceled | OrderStatus::Expired | OrderStatus::ExpiredInMatch
        )
    })
}

/// Who trades with the trader under test.
pub struct Desk<P: Kit> {
    /// The account under test (the default HMAC account).
    pub me: Api<P>,
    /// Rests the liquidity the trader takes (the default Ed25519 account, logged on).
    pub maker: Api<P>,
    /// Takes liquidity to print trades at chosen prices.
    pub mover: Api<P>,
    quotes: Vec<u64>,
}

impl<P: Kit> Desk<P> {
    /// Connects the three accounts and gives each client the exchange's filters.
    pub async fn open(sim: &Sim) -> Desk<P> {
        let env = env(sim);
        let me = Api::<P>::connect(&env, Some(Credentials::hmac(DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET)))
            .await
            .expect("trader connects");
        let ed = Credentials::from_pem(DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM).expect("test key");
        let maker = Api::<P>::connect(&env, Some(ed)).await.expect("maker connects");
        let mover =
            Api::<P>::connect(&env, Some(Credentials::hmac(MOVER_KEY, MOVER_SECRET))).await.expect("mover connects");
        for api in [&me, &maker, &mover] {
            api.set_rules(rules_from_exchange::<P>(sim));
        }
        Desk { me, maker, mover, quotes: Vec::new() }
    }

    /// The maker rests `qty` at `price` (GTC); returns its order id.
    pub async fn quote(&mut self, side: Side, price: &str, qty: Decimal) -> u64 {
        let o = self.maker.send(&NewOrder::<P>::limit(P::SYMBOL, side, qty, d(price))).await.expect("maker quotes");
        let id = P::snap(&o).order_id;
        self.quotes.push(id);
        id
    }

    /// Cancels what is left of the maker's quotes.
    pub async fn clear_quotes(&mut self) {
        for id in std::mem::take(&mut self.quotes) {
            match P::cancel(&self.maker, id).await {
                Ok(_) => {}
                Err(e) if e.code() == Some(-2011) => {} // filled already
                Err(e) => panic!("cancel {id}: {e}"),
            }
        }
    }

    /// Prints one trade of one unit at `price` between the maker and the mover, which takes with an IOC order
    /// (the book must have nothing better on that side).
    pub async fn print_trade(&mut self, price: &str, mover_side: Side) {
        self.quote(mover_side.opposite(), price, P::unit()).await;
        let take = NewOrder::<P>::limit(P::SYMBOL, mover_side, P::unit(), d(price)).time_in_force(TimeInForce::Ioc);
        let o = self.mover.send(&take.new_order_resp_type(binance_ws::usdm::NewOrderRespType::Result)).await;
        let o = P::snap(&o.expect("mover trades"));
        assert_eq!(o.status, OrderStatus::Filled, "the print at {price} traded");
    }

    /// The trader places `order`; returns its snapshot.
    pub async fn place(&self, order: NewOrder<P>) -> Snap {
        P::snap(&self.me.send(&order).await.unwrap_or_else(|e| panic!("{} places: {e}", P::NAME)))
    }
}

/// `OPPOSITE` of a side (the model's `Side` has no such method).
pub trait Opposite {
    fn opposite(self) -> Self;
}

impl Opposite for Side {
    fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }
}
