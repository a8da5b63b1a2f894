//! Three real unique-ids processes, plus a restarted one: no ID repeats.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::process::{Command, Stdio};

use serde_json::Value;

/// Starts a node with `node_id`, asks it for `count` IDs, returns them.
fn ids_from(node_id: &str, count: u64) -> Vec<String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_unique-ids"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn unique-ids");
    let mut input = format!(
        r#"{{"src":"c0","dest":"{node_id}","body":{{"type":"init","msg_id":1,"node_id":"{node_id}","node_ids":["n0","n1","n2"]}}}}"#
    );
    input.push('\n');
    for msg_id in 1..=count {
        input.push_str(&format!(
            r#"{{"src":"c1","dest":"{node_id}","body":{{"type":"generate","msg_id":{msg_id}}}}}"#
        ));
        input.push('\n');
    }
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out)
        .expect("read");
    writer.join().expect("writer").expect("write");
    assert!(child.wait().expect("wait").success());
    let replies: Vec<Value> = out
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert_eq!(replies[0]["body"]["type"], "init_ok");
    replies[1..]
        .iter()
        .map(|reply| {
            assert_eq!(reply["body"]["type"], "generate_ok");
            reply["body"]["id"]
                .as_str()
                .expect("string ids")
                .to_string()
        })
        .collect()
}

/// maelstrom.md §3.2: no ID is handed out twice, across nodes and across a
/// restart of the same node id.
#[test]
fn ids_are_unique_across_nodes_and_across_a_restart() {
    let mut seen = BTreeSet::new();
    for node_id in ["n0", "n1", "n2", "n1"] {
        for id in ids_from(node_id, 2000) {
            assert!(seen.insert(id.clone()), "{id} handed out twice");
        }
    }
    assert_eq!(seen.len(), 8000);
}
