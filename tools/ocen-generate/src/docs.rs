//! The documentation the callback registry writes (`make generate`; a test fails when the
//! committed files differ):
//!
//! - `docs/openapi.json`: every registered path (a POST whose body is the callback's
//!   schema or a flattened JWS, answered with the document's `components/responses`), and
//!   the components each callback module owns. Everything else in the document (the ack,
//!   the building blocks, shared objects such as `Payment`) is written by hand and kept.
//! - `README.md`, `docs/events.md`, `docs/operations.md`: the tables between
//!   `<!-- generated: NAME -->` and `<!-- end: NAME -->`.
//! - `infra/template.yaml`: each callback's function, routes, log group, alarms and queue
//!   subscription ([`crate::template`]).

use ocen_shared::CallbackType;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

use crate::root;

const DESCRIPTION: &str = "The asynchronous OCEN v3 callbacks a lender POSTs to the LSP. \
Every answer is the spec's ack wrapped in `ack`. Paths and callback bodies are generated \
from the callback registry (`make generate`); tests/tests/openapi.rs keeps the document \
honest.";

/// The top level, in the order OpenAPI documents are read.
#[derive(Serialize)]
struct Document<'a> {
    openapi: &'a Value,
    info: Value,
    servers: &'a Value,
    paths: Value,
    components: Value,
}

/// `docs/openapi.json` as the registry writes it, from the current document.
pub fn openapi(current: &Value) -> Result<String, String> {
    let mut components = current["components"].clone();
    let responses = components["responses"]
        .as_object()
        .filter(|r| !r.is_empty())
        .ok_or("docs/openapi.json has no components/responses")?
        .keys()
        .map(|name| {
            let status = name.trim_start_matches(|c: char| !c.is_ascii_digit());
            (
                status.to_string(),
                json!({"$ref": format!("#/components/responses/{name}")}),
            )
        })
        .collect::<Map<_, _>>();
    let schemas = components["schemas"]
        .as_object_mut()
        .ok_or("docs/openapi.json has no components/schemas")?;
    let mut paths = Map::new();
    let mut generator = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "#/components/schemas/".into())
        .into_generator();
    for &kind in CallbackType::ALL {
        let d = kind.def();
        let schema = (kind.tools().openapi)(&mut generator).to_value();
        // A body type named as the spec names it is its own definition; a callback that
        // shares another's body names it under its own schema too.
        if schema["$ref"] != json!(format!("#/components/schemas/{}", d.schema)) {
            schemas.insert(d.schema.to_string(), schema);
        }
        for (i, path) in d.paths.iter().enumerate() {
            let segment = path.rsplit('/').next().unwrap_or(path);
            let (operation, summary) = match i {
                0 => (segment.to_string(), format!("{}: {}", d.title, d.summary)),
                _ if path.eq_ignore_ascii_case(d.paths[0]) => (
                    format!("{segment}Capitalised"),
                    format!("{}, at the spec's capitalised spelling", d.title),
                ),
                _ => (
                    format!("{segment}{i}"),
                    format!("{}, also at {path}", d.title),
                ),
            };
            let body = json!({"oneOf": [
                {"$ref": format!("#/components/schemas/{}", d.schema)},
                {"$ref": "#/components/schemas/FlattenedJws"}
            ]});
            paths.insert(
                path.to_string(),
                json!({"post": {
                    "operationId": operation,
                    "summary": summary,
                    "security": [{"v3FlattenedJws": []}, {"v4DetachedJws": []}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": body}}},
                    "responses": responses,
                }}),
            );
        }
    }
    for (name, definition) in generator.take_definitions(true) {
        schemas.insert(name, blank_is_absent(definition));
    }
    drop_unreferenced(&mut components, &paths);
    let mut info = current["info"].clone();
    info["description"] = json!(DESCRIPTION);
    let doc = Document {
        openapi: &current["openapi"],
        info,
        servers: &current["servers"],
        paths: Value::Object(paths),
        components,
    };
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

/// An optional attribute's `""` means absent, as `null` does: each optional property that
/// may be `null` may be `""` too.
fn blank_is_absent(mut schema: Value) -> Value {
    let required: Vec<Value> = schema["required"].as_array().cloned().unwrap_or_default();
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        for (name, property) in properties.iter_mut() {
            if required.contains(&json!(name)) {
                continue;
            }
            // `{"type": ["array", "null"], ...}` (an inline schema made optional) is
            // `{"anyOf": [{"type": "array", ...}, {"type": "null"}]}`.
            if let Some(Value::Array(types)) = property.get_mut("type") {
                if types.contains(&json!("null")) {
                    types.retain(|t| t != "null");
                    if let [only] = types.as_slice() {
                        property["type"] = only.clone();
                    }
                    let description = property
                        .as_object_mut()
                        .and_then(|p| p.remove("description"));
                    *property = json!({"anyOf": [property.clone(), {"type": "null"}]});
                    if let Some(d) = description {
                        property["description"] = d;
                    }
                }
            }
            if let Some(Value::Array(any)) = property.get_mut("anyOf") {
                if any.contains(&json!({"type": "null"})) && !any.contains(&json!({"const": ""})) {
                    any.push(json!({"const": ""}));
                }
            }
        }
    }
    schema
}

/// Keep the schemas the document references (from its paths, responses and schemas), so a
/// schema no callback uses any more leaves the document.
fn drop_unreferenced(components: &mut Value, paths: &Map<String, Value>) {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    if let Some(name) = r.strip_prefix("#/components/schemas/") {
                        out.push(name.to_string());
                    }
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut todo = Vec::new();
    refs(&Value::Object(paths.clone()), &mut todo);
    refs(&components["responses"], &mut todo);
    let schemas = components["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut kept = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if kept.insert(name.clone()) {
            if let Some(s) = schemas.get(&name) {
                refs(s, &mut todo);
            }
        }
    }
    if let Some(s) = components["schemas"].as_object_mut() {
        s.retain(|name, _| kept.contains(name));
    }
}

/// The generated Markdown tables: (file, marker name, text).
fn markdown_tables() -> Vec<(&'static str, &'static str, String)> {
    let mut callbacks = String::from("| callback | when | path |\n|---|---|---|\n");
    let mut routing = String::from(
        "| callback | type (keys, events) | function | consumer queues |\n|---|---|---|---|\n",
    );
    for &kind in CallbackType::ALL {
        let d = kind.def();
        let paths = d
            .paths
            .iter()
            .map(|p| format!("`POST {p}`"))
            .collect::<Vec<_>>()
            .join(" (also ")
            + &")".repeat(d.paths.len() - 1);
        callbacks.push_str(&format!("| {} | {} | {paths} |\n", d.title, d.summary));
        let queues = d
            .queues
            .iter()
            .map(|q| format!("`{q}`"))
            .collect::<Vec<_>>()
            .join(" + ");
        routing.push_str(&format!(
            "| {} | `{}` | `{}` (`functions/{}`) | {queues} |\n",
            d.title, d.name, d.function, d.package
        ));
    }
    let mut env = String::from("```sh\nexport \\\n");
    let lines: Vec<String> = CallbackType::ALL
        .iter()
        .map(|kind| {
            let d = kind.def();
            let urls: Vec<String> = d.queues.iter().map(|q| format!("$(out {q}Url)")).collect();
            format!("  QUEUES_{}={}", d.name, urls.join(","))
        })
        .collect();
    env.push_str(&lines.join(" \\\n"));
    env.push_str("\n```\n");
    vec![
        ("README.md", "callbacks", callbacks),
        ("docs/events.md", "routing", routing),
        ("docs/operations.md", "ops-env", env),
    ]
}

/// The Markdown pages holding generated tables.
fn markdown_pages() -> Vec<&'static str> {
    let mut pages: Vec<&str> = markdown_tables().iter().map(|(f, _, _)| *f).collect();
    pages.dedup();
    pages
}

/// Markdown page `file` (relative to the repository) with its generated tables replaced.
pub fn markdown(file: &str, current: &str) -> Result<String, String> {
    let mut text = current.to_string();
    for (_, name, table) in markdown_tables().into_iter().filter(|(f, _, _)| *f == file) {
        text = crate::template::replace_region(&text, name, &table, "<!--")
            .map_err(|e| format!("{file}: {e}"))?;
    }
    Ok(text)
}

/// What `make generate` writes besides `events/`: (path, text).
pub fn generate() -> Result<Vec<(PathBuf, String)>, String> {
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let openapi_path = root().join("docs/openapi.json");
    let current: Value = serde_json::from_str(&read(&openapi_path)?)
        .map_err(|e| format!("docs/openapi.json: {e}"))?;
    let template_path = root().join("infra/template.yaml");
    let template = crate::template::registered(&read(&template_path)?)
        .map_err(|e| format!("infra/template.yaml: {e}"))?;
    let mut out = vec![
        (openapi_path, openapi(&current)?),
        (template_path, template),
    ];
    for page in markdown_pages() {
        let path = root().join(page);
        out.push((path.clone(), markdown(page, &read(&path)?)?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_openapi_document_and_readme_tables_are_the_generated_ones() {
        let stale: Vec<String> = generate()
            .unwrap()
            .into_iter()
            .filter(|(path, text)| std::fs::read_to_string(path).ok().as_ref() != Some(text))
            .map(|(path, _)| path.display().to_string())
            .collect();
        assert!(stale.is_empty(), "stale (run `make generate`): {stale:?}");
    }

    #[test]
    fn generating_twice_changes_nothing() {
        for (path, text) in generate().unwrap() {
            let page = path
                .strip_prefix(root())
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            let again = if page.ends_with(".md") {
                markdown(&page, &text).unwrap()
            } else if path.ends_with("template.yaml") {
                crate::template::registered(&text).unwrap()
            } else {
                openapi(&serde_json::from_str(&text).unwrap()).unwrap()
            };
            assert_eq!(again, text, "{}", path.display());
        }
    }

    #[test]
    fn a_page_without_its_markers_is_an_error_naming_the_page_and_the_marker() {
        let err = markdown("README.md", "# no tables here\n").unwrap_err();
        assert!(
            err.contains("README.md") && err.contains("<!-- generated: callbacks"),
            "{err}"
        );
        let err = markdown("docs/events.md", "# no tables here\n").unwrap_err();
        assert!(err.contains("<!-- generated: routing"), "{err}");
    }

    #[test]
    fn every_registered_path_is_a_documented_post_with_its_callbacks_schema() {
        let current: Value = serde_json::from_str(
            &std::fs::read_to_string(root().join("docs/openapi.json")).unwrap(),
        )
        .unwrap();
        let doc: Value = serde_json::from_str(&openapi(&current).unwrap()).unwrap();
        for &kind in CallbackType::ALL {
            for p in kind.paths() {
                let schema = doc["paths"][p]["post"]["requestBody"].to_string();
                assert!(schema.contains(kind.def().schema), "{p}");
                assert!(
                    doc["paths"][p]["post"]["responses"]["503"].is_object(),
                    "{p}"
                );
            }
        }
    }
}
