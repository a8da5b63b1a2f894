//! One key's verdict written the way Knossos writes it in a real `results.edn`
//! (maelstrom.md §3.6): `{:linearizable {...} :timeline {:valid? true} :valid? ...}`.
//!
//! - Linearizable: `{:valid? true, :configs (config), :final-paths ()}`, with the one
//!   configuration at the end of the order the search found (Knossos lists several of
//!   the configurations still alive at the end).
//! - Not linearizable: `:op` (the op no order can explain), `:previous-ok` (the last
//!   `:ok` op on the key before it), `:last-op` (the op linearized last in the first
//!   configuration), `:configs` (the configurations that reached `:op`'s completion:
//!   register value, last op, ops still pending) and `:final-paths` (from each
//!   configuration, orders of pending ops that end in an inconsistent register).
//! - Search bound reached: `{:valid? :unknown, :cause ..., :explored-configs n}`.
//!
//! Left out: Knossos lists *every* configuration alive before `:op`; here at most
//! [`CONFIGS_SHOWN_MAX`], and at most [`FINAL_PATHS_SHOWN_MAX`] final paths of at most
//! [`FINAL_PATH_OPS_MAX`] ops, found in at most [`FINAL_PATH_STEPS_MAX`] steps.
//! `:timeline` is the HTML timeline's checker, always valid and drawn by nobody here.
//!
//! [`CONFIGS_SHOWN_MAX`]: super::search::CONFIGS_SHOWN_MAX

use super::history::{shown, untupled, Call, KeyHistory, RegisterOp, Registers, Value, NIL};
use super::register::{inconsistency, step};
use super::search::{Config, Verdict};
use crate::check::Validity;
use crate::edn::Edn;

/// How many final paths a report shows, over all its configurations.
pub const FINAL_PATHS_SHOWN_MAX: usize = 10;

/// How many steps (one op tried from one path) finding the final paths may take.
pub const FINAL_PATH_STEPS_MAX: usize = 10_000;

/// How many ops a final path may hold: a history with thousands of pending ops would
/// otherwise make paths, and the recursion that builds them, thousands long.
pub const FINAL_PATH_OPS_MAX: usize = 16;

/// `(verdict, {:linearizable … :timeline … :valid? …})` for one key.
pub fn key_result(
    registers: &Registers<'_>,
    key: &KeyHistory<'_>,
    verdict: &Verdict,
) -> (Validity, Edn) {
    let writer = Writer {
        registers,
        ops: &key.ops,
    };
    let (valid, linearizable) = match verdict {
        Verdict::Linearizable(config) => (
            Validity::True,
            Edn::kmap([
                ("valid?", Edn::Bool(true)),
                ("configs", Edn::List(vec![writer.config(config)])),
                ("final-paths", Edn::List(Vec::new())),
            ]),
        ),
        Verdict::NotLinearizable { op, configs } => {
            (Validity::False, writer.not_linearizable(key, *op, configs))
        }
        Verdict::GaveUp { explored } => (
            Validity::Unknown,
            Edn::kmap([
                ("valid?", Validity::Unknown.to_edn()),
                (
                    "cause",
                    Edn::Str(format!("gave up after exploring {explored} configurations")),
                ),
                ("explored-configs", Edn::Int(*explored as i64)),
            ]),
        ),
    };
    let edn = Edn::kmap([
        ("linearizable", linearizable),
        ("timeline", Edn::kmap([("valid?", Edn::Bool(true))])),
        ("valid?", valid.to_edn()),
    ]);
    (valid, edn)
}

/// Prints ops, values and configurations of one key.
struct Writer<'r, 'h> {
    registers: &'r Registers<'h>,
    ops: &'r [RegisterOp<'h>],
}

impl Writer<'_, '_> {
    fn not_linearizable(&self, key: &KeyHistory<'_>, op: usize, configs: &[Config]) -> Edn {
        let failing = &self.ops[op];
        let previous_ok = failing.completed_at.and_then(|at| {
            key.oks
                .iter()
                .rev()
                .find(|(position, _)| *position < at)
                .map(|(_, ok)| shown(ok, &untupled(ok)))
        });
        let mut steps_left = FINAL_PATH_STEPS_MAX;
        let mut paths = Vec::new();
        for config in configs {
            let start = vec![self.path_step(config.last_op, self.model(config.value))];
            self.final_paths(
                config.value,
                &config.pending,
                op,
                start,
                &mut paths,
                &mut steps_left,
            );
        }
        Edn::kmap([
            ("valid?", Edn::Bool(false)),
            (
                "configs",
                Edn::List(configs.iter().map(|config| self.config(config)).collect()),
            ),
            ("final-paths", Edn::List(paths)),
            ("previous-ok", previous_ok.unwrap_or(Edn::Nil)),
            (
                "last-op",
                configs
                    .first()
                    .and_then(|config| config.last_op)
                    .map_or(Edn::Nil, |last| self.completed(last)),
            ),
            ("op", self.completed(op)),
        ])
    }

    /// Depth first from `value` over the `pending` ops: every order that ends in an op the
    /// register cannot take is one path. An order stops at `failing`, the op the paths
    /// explain.
    fn final_paths(
        &self,
        value: Value,
        pending: &[usize],
        failing: usize,
        path: Vec<Edn>,
        paths: &mut Vec<Edn>,
        steps_left: &mut usize,
    ) {
        for (position, &op) in pending.iter().enumerate() {
            if paths.len() == FINAL_PATHS_SHOWN_MAX || *steps_left == 0 {
                return;
            }
            *steps_left -= 1;
            let call = self.ops[op].call;
            let shown_op = if op == failing {
                self.completed(op)
            } else {
                self.invoked(op)
            };
            match step(value, call) {
                None => {
                    let mut ended = path.clone();
                    let message = inconsistency(value, call, |v| self.clojure_str(v));
                    ended.push(Edn::kmap([
                        ("op", shown_op),
                        (
                            "model",
                            Edn::Tagged(
                                "knossos.model.Inconsistent".into(),
                                Box::new(Edn::kmap([("msg", Edn::Str(message))])),
                            ),
                        ),
                    ]));
                    paths.push(Edn::Vector(ended));
                }
                Some(_) if op == failing => {}
                Some(_) if path.len() >= FINAL_PATH_OPS_MAX => {}
                Some(next_value) => {
                    let mut longer = path.clone();
                    longer.push(Edn::kmap([
                        ("op", shown_op),
                        ("model", self.model(next_value)),
                    ]));
                    let mut rest = pending.to_vec();
                    rest.remove(position);
                    self.final_paths(next_value, &rest, failing, longer, paths, steps_left);
                }
            }
        }
    }

    /// `{:op last-op, :model …}`: where a path starts.
    fn path_step(&self, last_op: Option<usize>, model: Edn) -> Edn {
        Edn::kmap([
            ("op", last_op.map_or(Edn::Nil, |op| self.completed(op))),
            ("model", model),
        ])
    }

    /// A configuration; its pending ops listed by process, as Knossos lists them.
    fn config(&self, config: &Config) -> Edn {
        let mut pending = config.pending.clone();
        pending.sort_by_key(|&op| self.ops[op].invoke.process);
        Edn::kmap([
            ("model", self.model(config.value)),
            (
                "last-op",
                config.last_op.map_or(Edn::Nil, |op| self.completed(op)),
            ),
            (
                "pending",
                Edn::Vector(pending.iter().map(|&op| self.invoked(op)).collect()),
            ),
        ])
    }

    /// `#knossos.model.CASRegister{:value v}`.
    fn model(&self, value: Value) -> Edn {
        Edn::Tagged(
            "knossos.model.CASRegister".into(),
            Box::new(Edn::kmap([("value", self.registers.value(value).clone())])),
        )
    }

    /// The op as completed (its `:ok`), or as invoked when its outcome is unknown.
    fn completed(&self, op: usize) -> Edn {
        let register_op = &self.ops[op];
        match register_op.ok {
            Some(ok) => shown(ok, &self.call_value(register_op.call)),
            None => self.invoked(op),
        }
    }

    /// The invocation, with the value its completion filled in (Knossos completes a
    /// read's invocation with the value it returned).
    fn invoked(&self, op: usize) -> Edn {
        let register_op = &self.ops[op];
        shown(register_op.invoke, &self.call_value(register_op.call))
    }

    fn call_value(&self, call: Call) -> Edn {
        match call {
            Call::Read(value) | Call::Write(value) => self.registers.value(value).clone(),
            Call::Cas { from, to } => Edn::Vector(vec![
                self.registers.value(from).clone(),
                self.registers.value(to).clone(),
            ]),
        }
    }

    /// A value as Clojure's `str` prints it inside Knossos's messages.
    fn clojure_str(&self, value: Value) -> String {
        if value == NIL {
            return String::new();
        }
        match self.registers.value(value) {
            Edn::Str(text) => text.clone(),
            other => other.to_string(),
        }
    }
}
