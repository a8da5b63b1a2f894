//! Clients for Maelstrom's services (maelstrom.md §4): the key-value stores
//! `seq-kv`, `lin-kv` and `lww-kv`, and the timestamp oracle `lin-tso`.
//!
//! A service is just another destination, so a request is an ordinary RPC and
//! its outcome arrives in [`Node::on_reply`](crate::Node::on_reply) like any
//! other. These helpers build the request bodies and decode the replies into
//! typed results; what a node does *between* request and reply stays in the
//! node, where it can be tested.
//!
//! What the stores promise differs, and the node must be written for the one it
//! uses: `lin-kv` is linearizable; `seq-kv` is sequentially consistent, so a read
//! may return any state not older than the last one *this node* saw (stale reads
//! and stale cas failures are normal); `lww-kv` is eventually consistent, last
//! write wins, and may never converge.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode};
use crate::node::{CallId, Context, RpcReply};
use crate::rpc::RpcOptions;

/// A key-value service and the RPC options its requests use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kv {
    service: &'static str,
    options: RpcOptions,
}

/// A request to a key-value service.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum KvRequest<K, V> {
    Read {
        key: K,
    },
    Write {
        key: K,
        value: V,
    },
    Cas {
        key: K,
        from: V,
        to: V,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        create_if_not_exists: bool,
    },
}

/// A successful reply from a key-value service.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum KvReply<V> {
    ReadOk { value: V },
    WriteOk,
    CasOk,
}

impl Kv {
    /// `seq-kv`: sequentially consistent.
    pub const SEQ: Kv = Kv::named("seq-kv");
    /// `lin-kv`: linearizable.
    pub const LIN: Kv = Kv::named("lin-kv");
    /// `lww-kv`: last-write-wins, eventually consistent.
    pub const LWW: Kv = Kv::named("lww-kv");

    const fn named(service: &'static str) -> Kv {
        Kv {
            service,
            options: RpcOptions {
                timeout: std::time::Duration::from_secs(1),
                retry: None,
            },
        }
    }

    /// The same service with other RPC options.
    pub fn with_options(self, options: RpcOptions) -> Kv {
        Kv { options, ..self }
    }

    /// The service's node id (`seq-kv`).
    pub fn service(&self) -> &'static str {
        self.service
    }

    /// `read {key}` → [`read_value`].
    pub fn read<T, K: Serialize>(&self, ctx: &mut Context<T>, key: K) -> CallId {
        self.request(ctx, KvRequest::<K, ()>::Read { key })
    }

    /// `write {key, value}` → [`expect_ok`].
    pub fn write<T, K: Serialize, V: Serialize>(
        &self,
        ctx: &mut Context<T>,
        key: K,
        value: V,
    ) -> CallId {
        self.request(ctx, KvRequest::Write { key, value })
    }

    /// `cas {key, from, to}` → [`expect_ok`]. With `create_if_not_exists`, a
    /// missing key is created holding `to` (and `from` is ignored).
    pub fn cas<T, K: Serialize, V: Serialize>(
        &self,
        ctx: &mut Context<T>,
        key: K,
        from: V,
        to: V,
        create_if_not_exists: bool,
    ) -> CallId {
        self.request(
            ctx,
            KvRequest::Cas {
                key,
                from,
                to,
                create_if_not_exists,
            },
        )
    }

    fn request<T, K: Serialize, V: Serialize>(
        &self,
        ctx: &mut Context<T>,
        request: KvRequest<K, V>,
    ) -> CallId {
        ctx.rpc_with(self.service, request, self.options)
    }
}

/// The value of a `read_ok`, or the error (20 when the key does not exist).
pub fn read_value<V: DeserializeOwned>(reply: RpcReply) -> Result<V, Error> {
    match reply.decode::<KvReply<V>>()? {
        KvReply::ReadOk { value } => Ok(value),
        other => Err(unexpected("read_ok", &other)),
    }
}

/// `Ok` for a `write_ok` or `cas_ok`, or the error (22 when a cas's `from` did not match).
pub fn expect_ok(reply: RpcReply) -> Result<(), Error> {
    match reply.decode::<KvReply<serde::de::IgnoredAny>>()? {
        KvReply::WriteOk | KvReply::CasOk => Ok(()),
        KvReply::ReadOk { .. } => Err(Error::new(
            ErrorCode::MalformedRequest,
            "expected write_ok or cas_ok, got read_ok",
        )),
    }
}

fn unexpected<V>(expected: &str, got: &KvReply<V>) -> Error {
    let got = match got {
        KvReply::ReadOk { .. } => "read_ok",
        KvReply::WriteOk => "write_ok",
        KvReply::CasOk => "cas_ok",
    };
    Error::new(
        ErrorCode::MalformedRequest,
        format!("expected {expected}, got {got}"),
    )
}

/// `lin-tso`: a linearizable source of increasing timestamps.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tso {
    options: RpcOptions,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum TsoPayload {
    Ts,
    TsOk { ts: u64 },
}

impl Tso {
    /// The service's node id.
    pub const SERVICE: &'static str = "lin-tso";

    pub fn with_options(options: RpcOptions) -> Tso {
        Tso { options }
    }

    /// `ts` → [`ts_value`].
    pub fn ts<T>(&self, ctx: &mut Context<T>) -> CallId {
        ctx.rpc_with(Tso::SERVICE, TsoPayload::Ts, self.options)
    }
}

/// The timestamp in a `ts_ok`.
pub fn ts_value(reply: RpcReply) -> Result<u64, Error> {
    match reply.decode::<TsoPayload>()? {
        TsoPayload::TsOk { ts } => Ok(ts),
        TsoPayload::Ts => Err(Error::new(
            ErrorCode::MalformedRequest,
            "expected ts_ok, got ts",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::Effect;
    use serde_json::json;

    fn only_rpc(ctx: &mut Context<()>) -> (String, serde_json::Value) {
        let mut effects = ctx.take_effects();
        assert_eq!(effects.len(), 1, "one request per call");
        match effects.remove(0) {
            Effect::Rpc { dest, body, .. } => (dest, body),
            other => panic!("expected an RPC, got {other:?}"),
        }
    }

    /// maelstrom.md §4: the KV API's request bodies.
    #[test]
    fn requests_have_the_bodies_the_services_expect() {
        let mut ctx = Context::for_test("n0", &["n0"]);
        Kv::SEQ.read(&mut ctx, "k");
        assert_eq!(
            only_rpc(&mut ctx),
            ("seq-kv".into(), json!({"type": "read", "key": "k"}))
        );
        Kv::LIN.write(&mut ctx, "k", 3);
        assert_eq!(
            only_rpc(&mut ctx),
            (
                "lin-kv".into(),
                json!({"type": "write", "key": "k", "value": 3})
            )
        );
        Kv::LWW.cas(&mut ctx, "k", 1, 2, true);
        assert_eq!(
            only_rpc(&mut ctx),
            (
                "lww-kv".into(),
                json!({"type": "cas", "key": "k", "from": 1, "to": 2, "create_if_not_exists": true})
            )
        );
        Kv::LIN.cas(&mut ctx, "k", 1, 2, false);
        assert_eq!(
            only_rpc(&mut ctx).1,
            json!({"type": "cas", "key": "k", "from": 1, "to": 2})
        );
        Tso::default().ts(&mut ctx);
        assert_eq!(
            only_rpc(&mut ctx),
            ("lin-tso".into(), json!({"type": "ts"}))
        );
    }

    #[test]
    fn replies_decode_to_values_and_typed_errors() {
        let reply = |result| RpcReply {
            call: CallId(1),
            result,
        };
        assert_eq!(
            read_value::<i64>(reply(Ok(
                json!({"type": "read_ok", "value": 7, "in_reply_to": 1})
            ))),
            Ok(7)
        );
        let missing = Error::new(ErrorCode::KeyDoesNotExist, "key does not exist");
        assert_eq!(read_value::<i64>(reply(Err(missing.clone()))), Err(missing));
        assert_eq!(expect_ok(reply(Ok(json!({"type": "cas_ok"})))), Ok(()));
        assert_eq!(
            ts_value(reply(Ok(json!({"type": "ts_ok", "ts": 4})))),
            Ok(4)
        );
        let wrong = read_value::<i64>(reply(Ok(json!({"type": "write_ok"}))));
        assert_eq!(
            wrong.map_err(|error| error.code),
            Err(ErrorCode::MalformedRequest)
        );
    }

    /// maelstrom.md §1.2: `type` is a string. serde alone would read 0 as
    /// the first variant, `read_ok`, and hand back a value nobody sent.
    #[test]
    fn a_reply_whose_type_is_a_number_is_malformed_not_a_read_ok() {
        let reply = RpcReply {
            call: CallId(1),
            result: Ok(json!({"type": 0, "value": 7})),
        };
        assert_eq!(
            read_value::<i64>(reply).map_err(|error| error.code),
            Err(ErrorCode::MalformedRequest)
        );
    }
}
