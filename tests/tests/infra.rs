//! The template's security and reliability properties, asserted so that a later edit cannot
//! silently weaken them. Each check also runs against a deliberately weakened copy, to prove
//! it can fail.

use ocen_local::infra::{default_template_path, Resources};
use ocen_shared::CallbackType;
use serde_yaml::{Mapping, Value};

const API_GATEWAY_TIMEOUT_S: i64 = 29;

fn template() -> Value {
    Resources::load(&default_template_path())
        .expect("the template parses")
        .raw
}

fn resources(t: &Value) -> &Mapping {
    t["Resources"].as_mapping().unwrap()
}

fn of_type<'a>(t: &'a Value, ty: &str) -> Vec<(String, &'a Value)> {
    resources(t)
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some(ty))
        .map(|(k, r)| (k.as_str().unwrap().to_string(), r))
        .collect()
}

/// `!Tag x` in short form, as `(tag, value)`.
fn tag(v: &Value) -> Option<(String, &Value)> {
    match v {
        Value::Tagged(t) => Some((
            t.tag.to_string().trim_start_matches('!').to_string(),
            &t.value,
        )),
        _ => None,
    }
}

fn as_list(v: &Value) -> Vec<&Value> {
    match v {
        Value::Sequence(s) => s.iter().collect(),
        other => vec![other],
    }
}

/// The statements of one entry of a function's `Policies`: an inline policy, or the key's use
/// when `KmsKeyArn` is given, `!If [HasKmsKey, !Ref P, !Ref AWS::NoValue]` with `P` a managed
/// policy of this template. `None` for anything else (AWS managed or SAM template policies
/// are too broad).
fn policy_statements(t: &Value, policy: &Value) -> Option<Vec<Value>> {
    if let Some(s) = policy["Statement"].as_sequence() {
        return Some(s.clone());
    }
    let (tg, args) = tag(policy)?;
    let args = args.as_sequence()?;
    if tg != "If"
        || args.len() != 3
        || args[0].as_str() != Some("HasKmsKey")
        || !is_no_value(&args[2])
    {
        return None;
    }
    let (rt, name) = tag(&args[1])?;
    let managed = &t["Resources"][name.as_str()?];
    if rt != "Ref" || managed["Type"].as_str() != Some("AWS::IAM::ManagedPolicy") {
        return None;
    }
    managed["Properties"]["PolicyDocument"]["Statement"]
        .as_sequence()
        .cloned()
}

fn is_no_value(v: &Value) -> bool {
    tag(v).is_some_and(|(tg, val)| tg == "Ref" && val.as_str() == Some("AWS::NoValue"))
}

/// `!If [HasKmsKey, with_key, without]` as `(with_key, without)`.
fn if_key(v: &Value) -> Option<(&Value, &Value)> {
    let (tg, args) = tag(v)?;
    match args.as_sequence()?.as_slice() {
        [cond, with_key, without] if tg == "If" && cond.as_str() == Some("HasKmsKey") => {
            Some((with_key, without))
        }
        _ => None,
    }
}

fn is_key_ref(v: &Value) -> bool {
    tag(v).is_some_and(|(tg, val)| tg == "Ref" && val.as_str() == Some("KmsKeyArn"))
}

/// `!If [HasKmsKey, !Ref KmsKeyArn, !Ref AWS::NoValue]`: the customer-managed key when given.
fn is_key_or_none(v: &Value) -> bool {
    if_key(v).is_some_and(|(k, none)| is_key_ref(k) && is_no_value(none))
}

/// A statement on the customer-managed key, `!Ref KmsKeyArn`, only through `services`
/// (`kms:ViaService`), with no action beyond using it for data.
fn key_use_through(st: &Value, services: &[&str]) -> bool {
    const DATA_USE: [&str; 4] = [
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:DescribeKey",
    ];
    let actions = as_list(&st["Action"]);
    let via = as_list(&st["Condition"]["StringEquals"]["kms:ViaService"]);
    st["Effect"].as_str() == Some("Allow")
        && actions
            .iter()
            .all(|a| a.as_str().is_some_and(|a| DATA_USE.contains(&a)))
        && is_key_ref(&st["Resource"])
        && !via.is_empty()
        && via.iter().all(|v| {
            tag(v).is_some_and(|(tg, val)| {
                tg == "Sub"
                    && services.iter().any(|s| {
                        val.as_str() == Some(format!("{s}.${{AWS::Region}}.amazonaws.com").as_str())
                    })
            })
        })
}

/// The registered callback a function binary serves.
fn callback_of(binary: &str) -> Option<CallbackType> {
    CallbackType::ALL
        .iter()
        .copied()
        .find(|t| t.def().package == binary)
}

/// Every violation of the properties the docs promise.
fn violations(t: &Value) -> Vec<String> {
    let mut v = Vec::new();
    let table = of_type(t, "AWS::DynamoDB::Table");
    let table_id = table.first().map(|(id, _)| id.clone()).unwrap_or_default();
    let global_timeout = t["Globals"]["Function"]["Timeout"].as_i64();

    for (id, f) in of_type(t, "AWS::Serverless::Function") {
        let p = &f["Properties"];
        // Runtime and architecture.
        let runtime = p["Runtime"]
            .as_str()
            .or(t["Globals"]["Function"]["Runtime"].as_str());
        if runtime != Some("provided.al2023") {
            v.push(format!("{id}: runtime is not provided.al2023"));
        }
        match p["Timeout"].as_i64().or(global_timeout) {
            Some(s) if s < API_GATEWAY_TIMEOUT_S => {}
            other => v.push(format!(
                "{id}: timeout {other:?} is not under {API_GATEWAY_TIMEOUT_S} s"
            )),
        }
        // Policies: inline statements (or the key's use, see `policy_statements`), no wildcards.
        let mut actions = Vec::new();
        let mut statements = Vec::new();
        for policy in as_list(&p["Policies"]) {
            match policy_statements(t, policy) {
                Some(s) => statements.extend(s),
                None => v.push(format!("{id}: a policy that is not an inline statement list (managed/SAM template policies are too broad)")),
            }
        }
        for s in &statements {
            {
                if s["Effect"].as_str() != Some("Allow") {
                    continue;
                }
                for a in as_list(&s["Action"]) {
                    let a = a.as_str().unwrap_or("");
                    if a.contains('*') {
                        v.push(format!("{id}: wildcard action {a}"));
                    }
                    actions.push((a.to_string(), s.clone()));
                }
                for r in as_list(&s["Resource"]) {
                    // (serde_yaml's as_str sees through tags: look at plain strings only here.)
                    if !matches!(r, Value::Tagged(_)) && r.as_str().is_some_and(|r| r.contains('*'))
                    {
                        v.push(format!("{id}: wildcard resource {r:?}"));
                    }
                    if let Some((tg, Value::String(sub))) = tag(r) {
                        // The one allowed pattern: dynamodb:ListStreams on this table's streams,
                        // as in SAM's own DynamoDBStreamReadPolicy.
                        let table_streams = format!("${{{table_id}.Arn}}/stream/*");
                        if tg == "Sub" && sub.contains('*') && sub != &table_streams {
                            v.push(format!("{id}: wildcard resource {sub}"));
                        }
                    }
                }
            }
        }
        if !statements.iter().any(|st| {
            key_use_through(st, &["dynamodb"])
                && as_list(&st["Action"])
                    .iter()
                    .any(|a| a.as_str() == Some("kms:Decrypt"))
        }) {
            v.push(format!(
                "{id}: cannot use KmsKeyArn through DynamoDB (its table would refuse it)"
            ));
        }
        let binary = f["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .unwrap_or("");
        if f["Metadata"]["BuildMethod"].as_str() != Some("rust-cargolambda") {
            v.push(format!("{id}: BuildMethod is not rust-cargolambda"));
        }
        if let Some(kind) = callback_of(binary) {
            // A callback function may only update (and read) its own callback's items in its
            // table and read the lender registry.
            let expected = format!("{table_id}.Arn");
            let registry_param = "parameter${LenderRegistryParameterName}";
            for (action, statement) in &actions {
                let resource = &statement["Resource"];
                let ok = match action.as_str() {
                    "dynamodb:UpdateItem" | "dynamodb:GetItem" => {
                        tag(resource).is_some_and(|(tg, val)| {
                            tg == "GetAtt" && val.as_str() == Some(expected.as_str())
                        })
                    }
                    "ssm:GetParameter" => tag(resource).is_some_and(|(tg, val)| {
                        tg == "Sub" && val.as_str().is_some_and(|s| s.ends_with(registry_param))
                    }),
                    a if a.starts_with("kms:") => key_use_through(statement, &["dynamodb"]),
                    _ => false,
                };
                if !ok {
                    v.push(format!("{id}: may do more than dynamodb:UpdateItem/GetItem on {table_id} and read the registry: {action} on {resource:?}"));
                }
            }
            if !actions.iter().any(|(a, _)| a == "dynamodb:UpdateItem") {
                v.push(format!("{id}: cannot write its table"));
            }
            {
                for st in &statements {
                    let on_items = as_list(&st["Action"])
                        .iter()
                        .any(|a| a.as_str().is_some_and(|a| a.starts_with("dynamodb:")));
                    let leading: Vec<&str> = as_list(
                        &st["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"],
                    )
                    .iter()
                    .filter_map(|k| k.as_str())
                    .collect();
                    if on_items && leading != vec![format!("{kind}#*").as_str()] {
                        v.push(format!(
                            "{id}: its table access is not limited to {kind}'s keys ({kind}#*)"
                        ));
                    }
                }
            }
            // Routes: exactly the callback's paths, POST only, and each path maps back to it.
            let mut paths = Vec::new();
            for (_, ev) in p["Events"].as_mapping().into_iter().flatten() {
                if ev["Type"].as_str() == Some("HttpApi") {
                    if ev["Properties"]["Method"]
                        .as_str()
                        .map(str::to_uppercase)
                        .as_deref()
                        != Some("POST")
                    {
                        v.push(format!("{id}: a route that is not POST"));
                    }
                    let path = ev["Properties"]["Path"].as_str().unwrap_or("").to_string();
                    if CallbackType::from_path(&path) != Some(kind) {
                        v.push(format!("{id}: route {path} is not a path of {kind}"));
                    }
                    paths.push(path);
                }
            }
            if !paths.iter().any(|p| p == kind.path()) {
                v.push(format!("{id}: no route for {}", kind.path()));
            }
        } else if binary == "stream-dispatcher" {
            let allowed = [
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
                "dynamodb:BatchGetItem",
                "dynamodb:BatchWriteItem",
                "sqs:SendMessage",
            ];
            for (a, st) in &actions {
                let key_use = a.starts_with("kms:") && key_use_through(st, &["dynamodb", "sqs"]);
                if !allowed.contains(&a.as_str()) && !key_use {
                    v.push(format!("{id}: dispatcher may {a}"));
                }
            }
            if !statements.iter().any(|st| {
                key_use_through(st, &["sqs"])
                    && as_list(&st["Action"])
                        .iter()
                        .any(|a| a.as_str() == Some("kms:GenerateDataKey"))
            }) {
                v.push(format!("{id}: cannot send to queues encrypted with KmsKeyArn (kms:GenerateDataKey through SQS)"));
            }
            // Its table access is to delivery markers only: never a callback record.
            {
                for st in &statements {
                    let touches_items = as_list(&st["Action"]).iter().any(|a| {
                        matches!(
                            a.as_str(),
                            Some("dynamodb:BatchGetItem" | "dynamodb:BatchWriteItem")
                        )
                    });
                    let leading = as_list(
                        &st["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"],
                    )
                    .iter()
                    .filter_map(|k| k.as_str())
                    .collect::<Vec<_>>();
                    if touches_items && leading != vec!["sent#*"] {
                        v.push(format!(
                            "{id}: dispatcher table access is not limited to delivery markers (sent#*)"
                        ));
                    }
                }
            }
            for var in ["TABLE_NAME", "PARKED_QUEUE_URL"] {
                if p["Environment"]["Variables"][var].is_null()
                    && t["Globals"]["Function"]["Environment"]["Variables"][var].is_null()
                {
                    v.push(format!("{id}: dispatcher has no {var}"));
                }
            }
            let stream = p["Events"]
                .as_mapping()
                .into_iter()
                .flatten()
                .find(|(_, e)| e["Type"].as_str() == Some("DynamoDB"));
            match stream {
                None => v.push(format!("{id}: no stream event source")),
                Some((_, e)) => {
                    let sp = &e["Properties"];
                    let filters: Vec<serde_json::Value> = sp["FilterCriteria"]["Filters"]
                        .as_sequence()
                        .into_iter()
                        .flatten()
                        .filter_map(|f| {
                            f["Pattern"]
                                .as_str()
                                .and_then(|p| serde_json::from_str(p).ok())
                        })
                        .collect();
                    let recorded_callbacks = serde_json::json!({"eventName": ["INSERT", "MODIFY"],
                        "dynamodb": {"NewImage": {"event": {"S": [{"exists": true}]}}}});
                    if filters != vec![recorded_callbacks] {
                        v.push(format!(
                            "{id}: the stream filter does not pass only recorded callbacks: {filters:?}"
                        ));
                    }
                    if !as_list(&sp["FunctionResponseTypes"])
                        .iter()
                        .any(|r| r.as_str() == Some("ReportBatchItemFailures"))
                    {
                        v.push(format!("{id}: no partial batch responses"));
                    }
                    if sp["BisectBatchOnFunctionError"].as_bool() != Some(true) {
                        v.push(format!("{id}: no bisect on error"));
                    }
                    if !sp["MaximumRetryAttempts"]
                        .as_i64()
                        .is_some_and(|n| (0..=10_000).contains(&n))
                    {
                        v.push(format!("{id}: retries are not bounded"));
                    }
                    if sp["DestinationConfig"]["OnFailure"]["Destination"].is_null() {
                        v.push(format!("{id}: no on-failure destination"));
                    }
                }
            }
        } else {
            v.push(format!("{id}: unknown binary {binary:?}"));
        }
    }

    // Signatures can never be switched off in the stack.
    let text = serde_yaml::to_string(t).unwrap_or_default();
    if text.contains("AUTH_MODE") {
        v.push("the template sets AUTH_MODE (signatures must always be verified in AWS)".into());
    }
    if t["Globals"]["Function"]["Environment"]["Variables"]["LENDER_REGISTRY_SSM_PARAMETER"]
        .is_null()
    {
        v.push("the functions are not given the lender registry".into());
    }

    // Queues: every queue is a DLQ or has one.
    let queues = of_type(t, "AWS::SQS::Queue");
    let dlqs: Vec<String> = queues
        .iter()
        .filter_map(|(_, q)| tag(&q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]))
        .filter_map(|(_, val)| {
            val.as_str()
                .and_then(|s| s.strip_suffix(".Arn"))
                .map(str::to_string)
        })
        .collect();
    let on_failure: Vec<String> = of_type(t, "AWS::Serverless::Function")
        .iter()
        .flat_map(|(_, f)| {
            f["Properties"]["Events"]
                .as_mapping()
                .into_iter()
                .flatten()
                .map(|(_, e)| e.clone())
                .collect::<Vec<_>>()
        })
        .filter_map(|e| {
            tag(&e["Properties"]["DestinationConfig"]["OnFailure"]["Destination"])
                .and_then(|(_, v)| v.as_str().map(str::to_string))
        })
        .filter_map(|s| s.strip_suffix(".Arn").map(str::to_string))
        .collect();
    // The dispatcher's parked queue is a dead end like a DLQ: it needs an alarm, not a DLQ.
    let parked: Vec<String> = of_type(t, "AWS::Serverless::Function")
        .iter()
        .filter_map(|(_, f)| tag(&f["Properties"]["Environment"]["Variables"]["PARKED_QUEUE_URL"]))
        .filter_map(|(_, v)| v.as_str().map(str::to_string))
        .collect();
    for (id, q) in &queues {
        let is_dlq = dlqs.contains(id) || on_failure.contains(id) || parked.contains(id);
        if !is_dlq && q["Properties"]["RedrivePolicy"].is_null() {
            v.push(format!("{id}: a consumer queue without a DLQ"));
        }
        if is_dlq
            && !of_type(t, "AWS::CloudWatch::Alarm").iter().any(|(_, a)| {
                as_list(&a["Properties"]["Dimensions"]).iter().any(|d| {
                    tag(&d["Value"])
                        .is_some_and(|(_, v)| v.as_str() == Some(&format!("{id}.QueueName")))
                })
            })
        {
            v.push(format!("{id}: a DLQ without a depth alarm"));
        }
    }

    // Every queue refuses non-TLS requests.
    let tls_covered: Vec<String> = of_type(t, "AWS::SQS::QueuePolicy")
        .iter()
        .filter(|(_, p)| {
            p["Properties"]["PolicyDocument"]["Statement"]
                .as_sequence()
                .into_iter()
                .flatten()
                .any(|st| {
                    st["Effect"].as_str() == Some("Deny")
                        && st["Condition"]["Bool"]["aws:SecureTransport"].as_str() == Some("false")
                })
        })
        .flat_map(|(_, p)| {
            as_list(&p["Properties"]["Queues"])
                .into_iter()
                .filter_map(|q| tag(q).and_then(|(_, v)| v.as_str().map(str::to_string)))
                .collect::<Vec<_>>()
        })
        .collect();
    for (id, q) in &queues {
        if !tls_covered.contains(id) {
            v.push(format!("{id}: no TLS-only queue policy"));
        }
        let qp = &q["Properties"];
        if !is_key_or_none(&qp["KmsMasterKeyId"])
            || !if_key(&qp["SqsManagedSseEnabled"])
                .is_some_and(|(k, none)| is_no_value(k) && none.as_bool() == Some(true))
        {
            v.push(format!(
                "{id}: not encrypted with KmsKeyArn when given (else SQS-managed keys)"
            ));
        }
    }

    // The table.
    match table.first() {
        None => v.push("no table".into()),
        Some((id, tb)) => {
            let p = &tb["Properties"];
            if p["StreamSpecification"]["StreamViewType"].as_str() != Some("NEW_IMAGE") {
                v.push(format!("{id}: stream is not NEW_IMAGE"));
            }
            if p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool()
                != Some(true)
            {
                v.push(format!("{id}: no point-in-time recovery"));
            }
            if p["SSESpecification"]["SSEEnabled"].as_bool() != Some(true) {
                v.push(format!("{id}: no encryption"));
            }
            if !is_key_or_none(&p["SSESpecification"]["KMSMasterKeyId"]) {
                v.push(format!("{id}: not encrypted with KmsKeyArn when given"));
            }
            if p["TimeToLiveSpecification"]["Enabled"].as_bool() != Some(true) {
                v.push(format!("{id}: no TTL"));
            }
            if tb["DeletionPolicy"].as_str() != Some("Retain") {
                v.push(format!("{id}: not retained on stack deletion"));
            }
        }
    }

    // Metric math alarms: CloudWatch takes at most 10 metrics in one alarm, a hard limit
    // ("Alarms based on metric math expressions can reference a maximum of 10 metrics",
    // Amazon CloudWatch User Guide, "Limits", read 2026-11), and the alarm must watch all of
    // them (a metric added to `Metrics` but left out of the expression alarms on nothing).
    const MAX_ALARM_METRICS: usize = 10;
    for (id, a) in of_type(t, "AWS::CloudWatch::Alarm") {
        let metrics = as_list(&a["Properties"]["Metrics"]);
        let stats: Vec<&str> = metrics
            .iter()
            .filter(|m| m["MetricStat"].is_mapping())
            .filter_map(|m| m["Id"].as_str())
            .collect();
        if stats.len() > MAX_ALARM_METRICS {
            v.push(format!(
                "{id}: {} metrics, CloudWatch allows {MAX_ALARM_METRICS} in one alarm (split it)",
                stats.len()
            ));
        }
        let watched = metrics
            .iter()
            .find(|m| m["ReturnData"].as_bool() == Some(true))
            .and_then(|m| m["Expression"].as_str());
        if let Some(expr) = watched {
            for stat in &stats {
                let named = expr
                    .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                    .any(|w| w == *stat);
                if !named && !expr.contains("METRICS()") {
                    v.push(format!("{id}: its expression leaves out metric {stat}"));
                }
            }
        }
    }
    v
}

#[test]
fn the_template_has_every_security_and_reliability_property() {
    let v = violations(&template());
    assert!(v.is_empty(), "violations:\n{}", v.join("\n"));
}

/// Apply `edit` to a copy of the template and expect a violation mentioning `expected`.
fn weakened(edit: impl FnOnce(&mut Value), expected: &str) {
    let mut t = template();
    edit(&mut t);
    let v = violations(&t);
    assert!(
        v.iter().any(|m| m.contains(expected)),
        "no violation mentioning {expected:?} in {v:?}"
    );
}

fn function<'a>(t: &'a mut Value, id: &str) -> &'a mut Value {
    &mut t["Resources"][id]["Properties"]
}

#[test]
fn a_queue_outside_the_tls_only_policy_is_caught() {
    weakened(
        |t| {
            let queues = t["Resources"]["QueuesTlsOnlyPolicy"]["Properties"]["Queues"]
                .as_sequence_mut()
                .unwrap();
            queues.pop();
        },
        "no TLS-only queue policy",
    );
}

#[test]
fn a_wildcard_resource_is_caught() {
    weakened(
        |t| {
            function(t, "DisbursementResponseFunction")["Policies"][0]["Statement"][0]["Resource"] =
                Value::from("*")
        },
        "wildcard resource",
    );
}

#[test]
fn a_wildcard_action_is_caught() {
    weakened(
        |t| {
            function(t, "ConsentHandleResponseFunction")["Policies"][0]["Statement"][0]["Action"] =
                Value::from("dynamodb:*")
        },
        "wildcard action",
    );
}

#[test]
fn a_callback_function_that_may_read_the_table_is_caught() {
    weakened(
        |t| {
            function(t, "LoanAcceptanceResponseFunction")["Policies"][0]["Statement"][0]["Action"] =
                Value::from("dynamodb:Scan")
        },
        "more than dynamodb:UpdateItem",
    );
}

#[test]
fn switching_authentication_off_is_caught() {
    weakened(
        |t| t["Globals"]["Function"]["Environment"]["Variables"]["AUTH_MODE"] = Value::from("none"),
        "AUTH_MODE",
    );
}

#[test]
fn reading_any_ssm_parameter_is_caught() {
    weakened(
        |t| {
            function(t, "DisbursementResponseFunction")["Policies"][0]["Statement"][1]["Resource"] =
                Value::from("arn:aws:ssm:ap-south-1:123456789012:parameter/*")
        },
        "wildcard resource",
    );
}

#[test]
fn a_managed_policy_is_caught() {
    weakened(
        |t| {
            function(t, "LoanAcceptanceResponseFunction")["Policies"] =
                Value::from("AmazonDynamoDBFullAccess")
        },
        "not an inline statement",
    );
}

#[test]
fn a_callback_function_that_may_write_another_callbacks_items_is_caught() {
    weakened(
        |t| {
            function(t, "ConsentHandleResponseFunction")["Policies"][0]["Statement"][0]
                ["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] =
                Value::from(vec!["DISBURSEMENT_RESPONSE#*"])
        },
        "not limited to CONSENT_HANDLE_RESPONSE's keys",
    );
}

/// The request senders' managed policy: PutItem only, of a request record's attributes
/// only, at the keys of the callbacks that answer a request; and its ARN is an output.
#[test]
fn the_request_senders_may_only_put_request_records_of_callbacks_that_answer_requests() {
    use ocen_shared::request::{LspIds, SentRequest};
    let t = template();
    let policy = &resources(&t)["RequestSenderPolicy"];
    assert_eq!(policy["Type"].as_str(), Some("AWS::IAM::ManagedPolicy"));
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_sequence()
        .unwrap();
    // The put, and (only with KmsKeyArn) the key's use through DynamoDB.
    assert_eq!(statements.len(), 2);
    let st = &statements[0];
    assert_eq!(st["Action"].as_str(), Some("dynamodb:PutItem"));
    let (key_use, none) = if_key(&statements[1]).expect("the key's use is conditional");
    assert!(key_use_through(key_use, &["dynamodb"]) && is_no_value(none));
    let leading: Vec<&str> =
        as_list(&st["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])
            .iter()
            .filter_map(|k| k.as_str())
            .collect();
    let expected: Vec<String> = CallbackType::ALL
        .iter()
        .filter(|k| k.def().answers_request)
        .map(|k| format!("{k}#*"))
        .collect();
    assert_eq!(leading, expected);
    let allowed: Vec<&str> =
        as_list(&st["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"])
            .iter()
            .filter_map(|a| a.as_str())
            .collect();
    // Every attribute of a request record, and nothing a callback record adds.
    let ids = LspIds::new()
        .with("loanId", ocen_shared::request::IdValue::One("L".into()))
        .unwrap();
    let request = SentRequest::new(
        CallbackType::ALL[0],
        "LENDER-1",
        "r-1",
        ids,
        time::OffsetDateTime::now_utc(),
        std::time::Duration::from_secs(60),
    )
    .unwrap();
    let mut written: Vec<&str> = request.attributes().iter().map(|(k, _, _)| *k).collect();
    let mut allowed_sorted = allowed.clone();
    written.sort();
    allowed_sorted.sort();
    assert_eq!(allowed_sorted, written);
    for callback_only in ["event", "ack", "payloadHash", "outcome"] {
        assert!(!allowed.contains(&callback_only), "{callback_only}");
    }
    assert!(!t["Outputs"]["RequestSenderPolicyArn"].is_null());
}

#[test]
fn a_queue_left_on_sqs_managed_keys_when_a_key_is_given_is_caught() {
    weakened(
        |t| {
            let q = t["Resources"]["RepaymentLedgerQueue"]["Properties"]
                .as_mapping_mut()
                .unwrap();
            q.remove("KmsMasterKeyId");
            q.insert("SqsManagedSseEnabled".into(), Value::Bool(true));
        },
        "RepaymentLedgerQueue: not encrypted with KmsKeyArn",
    );
}

#[test]
fn a_table_left_on_the_aws_managed_key_when_a_key_is_given_is_caught() {
    weakened(
        |t| {
            t["Resources"]["CallbacksTable"]["Properties"]["SSESpecification"]
                .as_mapping_mut()
                .unwrap()
                .remove("KMSMasterKeyId");
        },
        "CallbacksTable: not encrypted with KmsKeyArn",
    );
}

#[test]
fn a_function_that_cannot_use_the_key_is_caught() {
    weakened(
        |t| {
            function(t, "GetLoanResponseFunction")["Policies"]
                .as_sequence_mut()
                .unwrap()
                .pop();
        },
        "GetLoanResponseFunction: cannot use KmsKeyArn through DynamoDB",
    );
}

#[test]
fn a_dispatcher_that_cannot_send_to_encrypted_queues_is_caught() {
    weakened(
        |t| {
            function(t, "StreamDispatcherFunction")["Policies"]
                .as_sequence_mut()
                .unwrap()
                .pop();
        },
        "cannot send to queues encrypted with KmsKeyArn",
    );
}

#[test]
fn a_callback_function_that_may_use_the_key_outside_dynamodb_is_caught() {
    weakened(
        |t| {
            t["Resources"]["TableKeyUsePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
                ["Condition"]["StringEquals"]["kms:ViaService"] =
                serde_yaml::from_str("!Sub \"sqs.${AWS::Region}.amazonaws.com\"").unwrap();
        },
        "may do more than dynamodb:UpdateItem/GetItem",
    );
}

#[test]
fn a_key_policy_that_may_manage_the_key_is_caught() {
    weakened(
        |t| {
            t["Resources"]["TableKeyUsePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
                ["Action"] = serde_yaml::from_str("[kms:Decrypt, kms:CreateGrant]").unwrap();
        },
        "may do more than dynamodb:UpdateItem/GetItem on CallbacksTable and read the registry: kms:CreateGrant",
    );
}

#[test]
fn a_timeout_at_or_over_api_gateways_is_caught() {
    weakened(
        |t| function(t, "DisbursementResponseFunction")["Timeout"] = Value::from(30),
        "timeout",
    );
}

#[test]
fn a_stream_filter_that_passes_removals_is_caught() {
    weakened(
        |t| {
            function(t, "StreamDispatcherFunction")["Events"]["TableStream"]["Properties"]
                ["FilterCriteria"]["Filters"][0]["Pattern"] =
                Value::from(r#"{"eventName": ["INSERT", "REMOVE"]}"#)
        },
        "only recorded callbacks",
    );
}

#[test]
fn a_queue_without_a_dlq_is_caught() {
    weakened(
        |t| {
            t["Resources"]["ConsentHandleEventsQueue"]["Properties"]
                .as_mapping_mut()
                .unwrap()
                .remove("RedrivePolicy")
                .map(drop)
                .unwrap()
        },
        "without a DLQ",
    );
}

#[test]
fn a_route_to_the_wrong_function_is_caught() {
    weakened(
        |t| {
            function(t, "ConsentHandleResponseFunction")["Events"]["Callback"]["Properties"]
                ["Path"] = Value::from("/v3/loan/triggerLoanAcceptanceResponse")
        },
        "is not a path of",
    );
}

#[test]
fn a_dispatcher_that_may_delete_is_caught() {
    weakened(
        |t| {
            function(t, "StreamDispatcherFunction")["Policies"][0]["Statement"][2]["Action"] =
                Value::from("sqs:DeleteMessage")
        },
        "dispatcher may sqs:DeleteMessage",
    );
}

#[test]
fn a_dispatcher_that_may_write_callback_records_is_caught() {
    weakened(
        |t| {
            function(t, "StreamDispatcherFunction")["Policies"][0]["Statement"][2]
                .as_mapping_mut()
                .unwrap()
                .remove("Condition")
                .map(drop)
                .unwrap()
        },
        "not limited to delivery markers",
    );
}

#[test]
fn a_parked_queue_without_an_alarm_is_caught() {
    weakened(
        |t| {
            t["Resources"]
                .as_mapping_mut()
                .unwrap()
                .remove("DispatcherParkedAlarm")
                .map(drop)
                .unwrap()
        },
        "DispatcherParkedQueue: a DLQ without a depth alarm",
    );
}

#[test]
fn a_metric_left_out_of_an_alarms_expression_is_caught() {
    weakened(
        |t| {
            t["Resources"]["Api5xxAlarm"]["Properties"]["Metrics"][0]["Expression"] =
                "100 * errors".into()
        },
        "its expression leaves out metric",
    );
}

#[test]
fn an_alarm_over_cloudwatchs_ten_metrics_is_caught() {
    weakened(
        |t| {
            let metrics = t["Resources"]["Api5xxAlarm"]["Properties"]["Metrics"]
                .as_sequence_mut()
                .unwrap();
            let one = metrics[1].clone();
            for i in 0..10 {
                let mut m = one.clone();
                m["Id"] = format!("extra{i}").into();
                metrics.push(m);
            }
        },
        "CloudWatch allows 10",
    );
}

#[test]
fn a_table_without_point_in_time_recovery_is_caught() {
    weakened(
        |t| {
            t["Resources"]["CallbacksTable"]["Properties"]["PointInTimeRecoverySpecification"]
                ["PointInTimeRecoveryEnabled"] = Value::from(false)
        },
        "point-in-time",
    );
}

#[test]
fn every_function_named_in_the_template_is_a_workspace_binary() {
    let t = template();
    let root = default_template_path().parent().unwrap().join("..");
    for (id, f) in of_type(&t, "AWS::Serverless::Function") {
        let binary = f["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap();
        assert!(
            root.join("functions")
                .join(binary)
                .join("Cargo.toml")
                .is_file(),
            "{id}: functions/{binary} exists"
        );
    }
}

/// What the template must hold for each registered callback, missing items named.
fn registry_gaps(t: &Value) -> Vec<String> {
    let mut gaps = Vec::new();
    let functions = of_type(t, "AWS::Serverless::Function");
    let dispatcher = functions
        .iter()
        .find(|(_, f)| {
            f["Metadata"]["BuildProperties"]["Binary"].as_str() == Some("stream-dispatcher")
        })
        .map(|(_, f)| &f["Properties"]);
    let may_send: Vec<String> = dispatcher
        .map(|p| {
            as_list(&p["Policies"])
                .into_iter()
                .flat_map(|pol| pol["Statement"].as_sequence().into_iter().flatten())
                .filter(|st| {
                    as_list(&st["Action"])
                        .iter()
                        .any(|a| a.as_str() == Some("sqs:SendMessage"))
                })
                .flat_map(|st| as_list(&st["Resource"]))
                .filter_map(|r| tag(r).and_then(|(_, v)| v.as_str().map(str::to_string)))
                .filter_map(|r| r.strip_suffix(".Arn").map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let alarms = of_type(t, "AWS::CloudWatch::Alarm");
    let alarmed = |function: &str, metric: &str| {
        alarms.iter().any(|(_, a)| {
            as_list(&a["Properties"]["Metrics"]).iter().any(|m| {
                let stat = &m["MetricStat"]["Metric"];
                stat["MetricName"].as_str() == Some(metric)
                    && as_list(&stat["Dimensions"]).iter().any(|d| {
                        tag(&d["Value"]).is_some_and(|(_, v)| v.as_str() == Some(function))
                    })
            })
        })
    };
    for &kind in CallbackType::ALL {
        let d = kind.def();
        let Some(f) = resources(t).get(d.function) else {
            gaps.push(format!(
                "{kind}: no function {} in the template",
                d.function
            ));
            continue;
        };
        if f["Metadata"]["BuildProperties"]["Binary"].as_str() != Some(d.package) {
            gaps.push(format!(
                "{kind}: {} does not build {}",
                d.function, d.package
            ));
        }
        let mut routes: Vec<&str> = f["Properties"]["Events"]
            .as_mapping()
            .into_iter()
            .flatten()
            .filter(|(_, e)| e["Type"].as_str() == Some("HttpApi"))
            .filter_map(|(_, e)| e["Properties"]["Path"].as_str())
            .collect();
        routes.sort_unstable();
        let mut paths = d.paths.to_vec();
        paths.sort_unstable();
        if routes != paths {
            gaps.push(format!(
                "{kind}: routes {routes:?}, registered paths {paths:?}"
            ));
        }
        let log_group = tag(&f["Properties"]["LoggingConfig"]["LogGroup"])
            .and_then(|(_, v)| v.as_str().map(str::to_string));
        if !log_group.is_some_and(|g| {
            resources(t).get(g.as_str()).is_some_and(|r| {
                r["Type"].as_str() == Some("AWS::Logs::LogGroup")
                    && !r["Properties"]["RetentionInDays"].is_null()
            })
        }) {
            gaps.push(format!(
                "{kind}: {} has no log group with a retention",
                d.function
            ));
        }
        for metric in ["Errors", "Throttles"] {
            if !alarmed(d.function, metric) {
                gaps.push(format!("{kind}: no alarm on {}'s {metric}", d.function));
            }
        }
        let var = format!("QUEUES_{}", d.name);
        let queues: Vec<String> = dispatcher
            .map(|p| {
                let v = &p["Environment"]["Variables"][var.as_str()];
                let refs = match tag(v) {
                    Some((tg, inner)) if tg == "Join" => {
                        as_list(&inner[1]).into_iter().cloned().collect()
                    }
                    _ => vec![v.clone()],
                };
                refs.iter()
                    .filter_map(|r| tag(r).and_then(|(_, v)| v.as_str().map(str::to_string)))
                    .collect()
            })
            .unwrap_or_default();
        if queues.is_empty() {
            gaps.push(format!(
                "{kind}: the dispatcher has no {var} (no queue subscription)"
            ));
        }
        for q in d.queues {
            // The runbook's `ocen-ops` environment reads `<queue>Url` (docs/operations.md "Runbook").
            if t["Outputs"][format!("{q}Url").as_str()]["Value"].is_null() {
                gaps.push(format!("{kind}: no output {q}Url"));
            }
        }
        let declared: Vec<String> = d.queues.iter().map(|q| q.to_string()).collect();
        if !queues.is_empty() && queues != declared {
            gaps.push(format!(
                "{kind}: the dispatcher's {var} names {queues:?}, the callback module declares {declared:?}"
            ));
        }
        for q in queues {
            if resources(t)
                .get(q.as_str())
                .and_then(|r| r["Type"].as_str())
                != Some("AWS::SQS::Queue")
            {
                gaps.push(format!("{kind}: {var} names {q}, which is not a queue"));
            } else if !may_send.contains(&q) {
                gaps.push(format!("{kind}: the dispatcher may not send to {q}"));
            }
        }
    }
    // Every callback function in the template is registered.
    for (id, f) in functions {
        let binary = f["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .unwrap_or("");
        if binary != "stream-dispatcher" && callback_of(binary).is_none() {
            gaps.push(format!(
                "{id}: builds {binary}, which is no registered callback"
            ));
        }
    }
    gaps
}

#[test]
fn every_registered_callback_has_its_function_routes_queues_and_alarms() {
    let gaps = registry_gaps(&template());
    assert!(
        gaps.is_empty(),
        "infra/template.yaml vs the callback registry: {gaps:#?}"
    );
}

#[test]
fn a_registered_callback_without_its_queue_subscription_or_alarm_is_caught() {
    let mut t = template();
    let d = ocen_shared::callbacks::consent_handle::TYPE.def();
    let dispatcher = of_type(&t, "AWS::Serverless::Function")
        .into_iter()
        .find(|(_, f)| {
            f["Metadata"]["BuildProperties"]["Binary"].as_str() == Some("stream-dispatcher")
        })
        .map(|(id, _)| id)
        .unwrap();
    t["Resources"][dispatcher.as_str()]["Properties"]["Environment"]["Variables"]
        .as_mapping_mut()
        .unwrap()
        .remove(format!("QUEUES_{}", d.name));
    let gaps = registry_gaps(&t).join("\n");
    assert!(gaps.contains("no queue subscription"), "{gaps}");
    t["Resources"].as_mapping_mut().unwrap().remove(format!(
        "{}Throttles{}",
        d.function.trim_end_matches("Function"),
        "Alarm"
    ));
    let gaps = registry_gaps(&t).join("\n");
    assert!(
        gaps.contains(&format!("no alarm on {}'s Throttles", d.function)),
        "{gaps}"
    );
    t["Resources"].as_mapping_mut().unwrap().remove(d.function);
    let gaps = registry_gaps(&t).join("\n");
    assert!(
        gaps.contains(&format!("no function {}", d.function)),
        "{gaps}"
    );
}

#[test]
fn every_function_crate_is_a_registered_callback_or_the_dispatcher() {
    let root = default_template_path()
        .parent()
        .unwrap()
        .join("../functions");
    for entry in std::fs::read_dir(root).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            name == "stream-dispatcher" || callback_of(&name).is_some(),
            "functions/{name} serves no registered callback (add its module to callbacks::REGISTRY)"
        );
    }
    for t in CallbackType::ALL {
        let main = default_template_path()
            .parent()
            .unwrap()
            .join("../functions")
            .join(t.def().package)
            .join("src/main.rs");
        let text = std::fs::read_to_string(&main)
            .unwrap_or_else(|_| panic!("{t}: no functions/{}/src/main.rs", t.def().package));
        assert!(
            text.contains("ocen_shared::http::run("),
            "{}: wiring only",
            main.display()
        );
        assert!(
            text.lines().count() <= 12,
            "{}: about ten lines of wiring",
            main.display()
        );
    }
}

fn template_text() -> String {
    std::fs::read_to_string(default_template_path()).unwrap()
}

#[test]
fn the_templates_callback_blocks_are_the_ones_the_registry_generates() {
    let text = template_text();
    let generated = ocen_generate::template::registered(&text).unwrap();
    assert!(
        generated == text,
        "infra/template.yaml's generated blocks are stale: run `make generate`"
    );
}

#[test]
fn a_stale_or_missing_callback_block_is_caught() {
    let text = template_text();
    let d = ocen_shared::callbacks::grant_loan::TYPE.def();
    let stale = text.replace(
        &format!("Path: {}\n", d.paths[0]),
        "Path: /v3/loan/somewhereElse\n",
    );
    assert_ne!(stale, text, "the edit changed the template");
    assert_ne!(ocen_generate::template::registered(&stale).unwrap(), stale);
    let start = text.find(&format!("  {}:\n", d.function)).unwrap();
    let end = start + text[start..].find("ThrottlesAlarm:\n").unwrap();
    let mut missing = text.clone();
    missing.replace_range(start..end, "");
    assert_ne!(
        ocen_generate::template::registered(&missing).unwrap(),
        missing
    );
}
