//! The real kafka binary over stdio, fed bad input: nothing panics, each bad
//! request gets Maelstrom's error (maelstrom.md §1.4: 12 malformed-request, 10
//! not-supported), and good requests around them are answered as usual. A poll of a
//! key nobody wrote is not an error: it returns nothing for that key (§3.7).

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

/// (request body, what the answer must be: a reply type or an error code).
fn cases() -> Vec<(Value, Result<&'static str, u64>)> {
    vec![
        (
            json!({"type": "send", "key": "a", "msg": "not a number"}),
            Err(12),
        ),
        (json!({"type": "send", "key": 5, "msg": 1}), Err(12)),
        (json!({"type": "send", "key": "a"}), Err(12)),
        (json!({"type": "poll", "offsets": {"a": -1}}), Err(12)),
        (json!({"type": "poll", "offsets": {"a": 1.5}}), Err(12)),
        (json!({"type": "commit_offsets", "offsets": ["a"]}), Err(12)),
        (
            json!({"type": "list_committed_offsets", "keys": "a"}),
            Err(12),
        ),
        (
            json!({"type": "replicate", "records": "everything"}),
            Err(12),
        ),
        (json!({"type": "produce", "key": "a"}), Err(10)),
        (json!({"type": "send", "key": "a", "msg": 7}), Ok("send_ok")),
        (
            json!({"type": "poll", "offsets": {"nobody-wrote-this": 0}}),
            Ok("poll_ok"),
        ),
        (json!({"type": "poll", "offsets": {"a": 0}}), Ok("poll_ok")),
    ]
}

#[test]
fn bad_requests_get_maelstrom_errors_and_good_ones_are_still_answered() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafka"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run kafka");
    let mut stdin = child.stdin.take().expect("stdin");
    let init = json!({"src": "c0", "dest": "n0", "body": {"type": "init", "msg_id": 1, "node_id": "n0", "node_ids": ["n0"]}});
    writeln!(stdin, "{init}").expect("write");
    writeln!(stdin, "not JSON at all").expect("write");
    for (msg_id, (mut body, _)) in (1..).zip(cases()) {
        body["msg_id"] = json!(msg_id);
        writeln!(
            stdin,
            "{}",
            json!({"src": "c1", "dest": "n0", "body": body})
        )
        .expect("write");
    }
    drop(stdin);
    let output = child
        .wait_with_output()
        .expect("kafka exits at the end of its input");
    assert!(output.status.success(), "{}", output.status);

    let replies: Vec<Value> = String::from_utf8(output.stdout)
        .expect("UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("every line is JSON"))
        .filter(|message: &Value| message["dest"] == "c1")
        .collect();
    let cases = cases();
    assert_eq!(
        replies.len(),
        cases.len(),
        "one answer per request: {replies:?}"
    );
    for (msg_id, (request, expected)) in (1..).zip(cases) {
        let reply = replies
            .iter()
            .find(|reply| reply["body"]["in_reply_to"] == json!(msg_id))
            .unwrap_or_else(|| panic!("no answer to {request}"));
        let body = &reply["body"];
        match expected {
            Ok(reply_type) => assert_eq!(body["type"], reply_type, "{request} → {body}"),
            Err(code) => {
                assert_eq!(body["type"], "error", "{request} → {body}");
                assert_eq!(body["code"], code, "{request} → {body}");
            }
        }
    }
    let last = &replies.last().expect("answers")["body"];
    assert_eq!(last["msgs"], json!({"a": [[0, 7]]}));
    let unknown_key = &replies[replies.len() - 2]["body"];
    assert_eq!(unknown_key["msgs"], json!({}), "nothing, and no error");
}
