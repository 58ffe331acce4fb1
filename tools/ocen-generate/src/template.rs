//! The per-callback parts of `infra/template.yaml`, written from the callback registry
//! (`make generate`; a test fails when the committed template differs):
//!
//! - `functions`: each callback's function (its binary, routes, log group, policy) and its
//!   two alarms (Errors, Throttles). One alarm per function and metric, so the alarms hold
//!   for any number of functions: a metric-math alarm takes at most 10 metrics ("a hard
//!   limit", Amazon CloudWatch User Guide, "CloudWatch service quotas", read 2026-12),
//!   while the alarms per Region are an adjustable quota of thousands (same page).
//! - `dispatcher-queues`: the dispatcher's `QUEUES_<NAME>` (each callback's consumer queues).
//! - `dispatcher-send`: the queues the dispatcher may send to.
//! - `request-keys`: the keys the LSP's request senders may write (the callbacks that
//!   answer a request).
//!
//! Everything else in the template (table, queues, API, dispatcher, the other alarms) is
//! written by hand and kept.

use ocen_shared::callbacks::CallbackDef;
use ocen_shared::CallbackType;
use std::collections::BTreeSet;
use std::fmt::Write;

/// What the template needs of a callback (a registered one's [`CallbackDef`], or a
/// scratch one's for [`scratch`]).
#[derive(Debug, Clone)]
pub struct Block {
    pub name: String,
    pub title: String,
    pub paths: Vec<String>,
    pub package: String,
    pub function: String,
    pub queues: Vec<String>,
    pub answers_request: bool,
}

impl From<&CallbackDef> for Block {
    fn from(d: &CallbackDef) -> Block {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Block {
            name: d.name.into(),
            title: d.title.into(),
            paths: strings(d.paths),
            package: d.package.into(),
            function: d.function.into(),
            queues: strings(d.queues),
            answers_request: d.answers_request,
        }
    }
}

/// The template with its generated regions written for `blocks`.
pub fn template(current: &str, blocks: &[Block]) -> Result<String, String> {
    let mut text = current.to_string();
    for (name, lines) in regions(blocks) {
        text = replace_region(&text, name, &lines, "#")?;
    }
    Ok(text)
}

/// The registry's template ([`template`] for every registered callback).
pub fn registered(current: &str) -> Result<String, String> {
    let blocks: Vec<Block> = CallbackType::ALL.iter().map(|t| t.def().into()).collect();
    template(current, &blocks)
}

/// The registry's template with scratch callbacks added up to `functions` callback
/// functions: what the alarms and the routes must hold for (`make test` lints one of 30).
pub fn scratch(current: &str, functions: usize) -> Result<String, String> {
    let mut blocks: Vec<Block> = CallbackType::ALL.iter().map(|t| t.def().into()).collect();
    for i in blocks.len()..functions {
        blocks.push(Block {
            name: format!("SCRATCH_{i}_RESPONSE"),
            title: format!("Scratch {i} Response"),
            paths: vec![format!("/v3/scratch/scratch{i}Response")],
            package: format!("scratch-{i}-response"),
            function: format!("Scratch{i}ResponseFunction"),
            queues: vec!["LoanEventsQueue".into()],
            answers_request: true,
        });
    }
    template(current, &blocks)
}

/// Replace the lines between the line holding `<comment> generated: <name> (make
/// generate)` and the one holding `<comment> end: <name>` (both kept): the template's
/// regions (`#`) and the README's tables (`<!--`).
pub fn replace_region(
    text: &str,
    name: &str,
    content: &str,
    comment: &str,
) -> Result<String, String> {
    let begin = format!("{comment} generated: {name} (make generate)");
    let end = format!("{comment} end: {name}");
    let a = text.find(&begin).ok_or(format!("no marker {begin:?}"))?;
    let a = a
        + text[a..]
            .find('\n')
            .ok_or(format!("{begin:?} ends the file"))?
        + 1;
    let b = text[a..].find(&end).ok_or(format!("no marker {end:?}"))? + a;
    // Back to the start of the end marker's line (its indentation is kept).
    let b = text[..b].rfind('\n').map_or(a, |i| (i + 1).max(a));
    let mut out = String::with_capacity(text.len() + content.len());
    out.push_str(&text[..a]);
    out.push_str(content);
    out.push_str(&text[b..]);
    Ok(out)
}

/// The logical id stem of a callback's resources: its function id without `Function`.
fn stem(d: &Block) -> &str {
    d.function.strip_suffix("Function").unwrap_or(&d.function)
}

fn regions(defs: &[Block]) -> [(&'static str, String); 4] {
    let mut functions = String::new();
    let mut queues = String::new();
    let mut send = BTreeSet::new();
    let mut request_keys = String::new();
    for d in defs {
        if d.answers_request {
            let _ = writeln!(request_keys, "                    - \"{}#*\"", d.name);
        }
        functions.push_str(&function_block(d));
        let refs: Vec<String> = d.queues.iter().map(|q| format!("!Ref {q}")).collect();
        let value = match refs.as_slice() {
            [one] => one.clone(),
            _ => format!("!Join [\",\", [{}]]", refs.join(", ")),
        };
        let _ = writeln!(queues, "          QUEUES_{}: {value}", d.name);
        send.extend(d.queues.iter().cloned());
    }
    let send = send
        .into_iter()
        .map(|q| format!("                - !GetAtt {q}.Arn\n"))
        .collect();
    [
        ("functions", functions),
        ("dispatcher-queues", queues),
        ("dispatcher-send", send),
        ("request-keys", request_keys),
    ]
}

fn function_block(d: &Block) -> String {
    let (function, stem) = (&d.function, stem(d));
    let mut events = String::new();
    for (i, path) in d.paths.iter().enumerate() {
        let event = match i {
            0 => "Callback".to_string(),
            _ if path.eq_ignore_ascii_case(&d.paths[0]) => "CallbackCapitalised".to_string(),
            _ => format!("Callback{i}"),
        };
        let _ = write!(
            events,
            "        {event}:
          Type: HttpApi
          Properties:
            ApiId: !Ref CallbacksApi
            Method: POST
            Path: {path}
"
        );
    }
    let alarm = |metric: &str, what: &str| {
        format!(
            "  {stem}{metric}Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: {what} ({title}).
      Metrics:
        - Id: m
          ReturnData: true
          MetricStat:
            Metric:
              Namespace: AWS/Lambda
              MetricName: {metric}
              Dimensions: [{{Name: FunctionName, Value: !Ref {function}}}]
            Period: 60
            Stat: Sum
      EvaluationPeriods: 1
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
      TreatMissingData: notBreaching
      AlarmActions: !If [HasAlarmTopic, [!Ref AlarmTopicArn], !Ref AWS::NoValue]
",
            title = d.title
        )
    };
    format!(
        "  {function}:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: rust-cargolambda
      BuildProperties:
        Binary: {package}
    Properties:
      Description: OCEN {title} callback
      LoggingConfig:
        LogFormat: JSON
        LogGroup: !Ref {stem}Logs
      Policies:
        - Version: \"2012-10-17\"
          Statement:
            # UpdateItem: the one write of the ack path, onto the LSP's request record at
            # the callback's key. GetItem: only for a request outside the replay window (is
            # it a retry of a recorded callback?). This callback's own keys only.
            - Effect: Allow
              Action:
                - dynamodb:UpdateItem
                - dynamodb:GetItem
              Resource: !GetAtt CallbacksTable.Arn
              Condition:
                ForAllValues:StringLike:
                  dynamodb:LeadingKeys:
                    - \"{name}#*\"
            - Effect: Allow
              Action: ssm:GetParameter
              Resource: !Sub \"arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter${{LenderRegistryParameterName}}\"
        - !If [HasKmsKey, !Ref TableKeyUsePolicy, !Ref AWS::NoValue]
      Events:
{events}  {stem}Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: !Ref LogRetentionDays
{errors}{throttles}
",
        package = d.package,
        name = d.name,
        title = d.title,
        errors = alarm(
            "Errors",
            "A callback function invocation failed (crash or timeout)"
        ),
        throttles = alarm(
            "Throttles",
            "Lambda throttled a callback function; lenders are getting 5xx/429"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_is_replaced_between_its_markers_and_the_markers_kept() {
        let text = "a\n  # generated: x (make generate)\n  old\n  # end: x\nb\n";
        let out = replace_region(text, "x", "  new\n", "#").unwrap();
        assert_eq!(
            out,
            "a\n  # generated: x (make generate)\n  new\n  # end: x\nb\n"
        );
        assert_eq!(replace_region(&out, "x", "  new\n", "#").unwrap(), out);
    }

    #[test]
    fn a_missing_marker_is_an_error_naming_it() {
        let err = replace_region("nothing\n", "functions", "", "#").unwrap_err();
        assert!(err.contains("generated: functions"), "{err}");
    }

    #[test]
    fn a_callback_with_several_paths_gets_a_route_per_path_and_two_alarms() {
        let d: Block = ocen_shared::callbacks::disbursement::TYPE.def().into();
        let block = function_block(&d);
        for p in &d.paths {
            assert!(block.contains(&format!("Path: {p}\n")), "{p}");
        }
        assert!(block.contains("CallbackCapitalised:"));
        assert!(block.contains("DisbursementResponseErrorsAlarm:"));
        assert!(block.contains("DisbursementResponseThrottlesAlarm:"));
    }

    #[test]
    fn a_scratch_template_has_the_functions_asked_for() {
        let current = std::fs::read_to_string(crate::root().join("infra/template.yaml")).unwrap();
        let text = scratch(&current, 30).unwrap();
        assert_eq!(text.matches("Type: AWS::Serverless::Function").count(), 31);
        assert_eq!(text.matches("ThrottlesAlarm:\n").count(), 31);
    }
}
