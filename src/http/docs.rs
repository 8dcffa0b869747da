//! `/api/docs`: the API documentation as one French HTML page, rendered on
//! the server from the OpenAPI document the service serves. Nothing is
//! fetched from elsewhere (no script, no font, no stylesheet): the page is
//! whole in the answer, and reads the same without JavaScript.

use std::fmt::Write;

use serde_json::Value;

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}\
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #000091;color:#000091}\
section.op{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}\
code{background:#f4f4f4;padding:0 .25rem;border-radius:3px}\
.m{display:inline-block;min-width:4.5rem;font-weight:bold;font-family:monospace}\
.get{color:#18753c}.post{color:#0063cb}.put,.patch{color:#b34000}.delete{color:#ce0500}\
table{border-collapse:collapse;margin:.4rem 0}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}\
nav ul{columns:2}";

/// The page, from the OpenAPI document.
pub fn page(document: &Value) -> String {
    let mut html = String::from("<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\">");
    let title = document["info"]["title"].as_str().unwrap_or("API");
    let _ = write!(html, "<title>Documentation de l'API {}</title><style>{STYLE}</style></head><body>", escape(title));
    let _ = write!(html, "<h1>Documentation de l'API {}</h1>", escape(title));
    if let Some(description) = document["info"]["description"].as_str() {
        let _ = write!(html, "<p>{}</p>", escape(description));
    }
    html.push_str("<p>Le document OpenAPI complet, lisible par les outils : <a href=\"/api/openapi.json\"><code>/api/openapi.json</code></a>.</p>");

    // Operations by tag, in the document's tag order.
    let mut tags: Vec<(String, String)> = document["tags"]
        .as_array()
        .map(|tags| {
            tags.iter()
                .map(|t| {
                    (
                        t["name"].as_str().unwrap_or_default().to_owned(),
                        t["description"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut operations: Vec<(String, String, String, &Value)> = Vec::new();
    if let Some(paths) = document["paths"].as_object() {
        for (path, item) in paths {
            let Some(item) = item.as_object() else { continue };
            for (method, operation) in item {
                let tag = operation["tags"][0].as_str().unwrap_or("autres").to_owned();
                if !tags.iter().any(|(name, _)| *name == tag) {
                    tags.push((tag.clone(), String::new()));
                }
                operations.push((tag, path.clone(), method.clone(), operation));
            }
        }
    }
    html.push_str("<nav><h2>Sommaire</h2><ul>");
    for (i, (name, description)) in tags.iter().enumerate() {
        let _ = write!(html, "<li><a href=\"#t{i}\">{}</a> — {}</li>", escape(name), escape(description));
    }
    html.push_str("</ul></nav>");
    for (i, (name, description)) in tags.iter().enumerate() {
        let _ = write!(html, "<h2 id=\"t{i}\">{}</h2><p>{}</p>", escape(name), escape(description));
        for (_, path, method, operation) in operations.iter().filter(|(tag, ..)| tag == name) {
            operation_html(&mut html, path, method, operation);
        }
    }
    html.push_str("</body></html>");
    html
}

fn operation_html(html: &mut String, path: &str, method: &str, operation: &Value) {
    let _ = write!(
        html,
        "<section class=\"op\"><p><span class=\"m {m}\">{M}</span> <code>{p}</code></p>",
        m = escape(method),
        M = escape(&method.to_uppercase()),
        p = escape(path)
    );
    if let Some(summary) = operation["summary"].as_str() {
        let _ = write!(html, "<p><strong>{}</strong></p>", escape(summary));
    }
    if let Some(description) = operation["description"].as_str() {
        let _ = write!(html, "<p>{}</p>", escape(description));
    }
    if let Some(parameters) = operation["parameters"].as_array().filter(|p| !p.is_empty()) {
        html.push_str("<table><tr><th>Paramètre</th><th>Où</th><th>Obligatoire</th><th>Description</th></tr>");
        for parameter in parameters {
            let place = match parameter["in"].as_str().unwrap_or_default() {
                "path" => "chemin",
                "query" => "requête",
                "header" => "en-tête",
                other => other,
            };
            let required = if parameter["required"].as_bool().unwrap_or(false) { "oui" } else { "non" };
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td>{place}</td><td>{required}</td><td>{}</td></tr>",
                escape(parameter["name"].as_str().unwrap_or_default()),
                escape(parameter["description"].as_str().unwrap_or_default())
            );
        }
        html.push_str("</table>");
    }
    if let Some(content) = operation["requestBody"]["content"].as_object() {
        let types: Vec<String> = content.keys().map(|k| format!("<code>{}</code>", escape(k))).collect();
        let _ = write!(html, "<p>Corps : {}</p>", types.join(", "));
    }
    if let Some(responses) = operation["responses"].as_object() {
        html.push_str("<table><tr><th>Réponse</th><th>Description</th></tr>");
        for (status, response) in responses {
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{}</td></tr>",
                escape(status),
                escape(response["description"].as_str().unwrap_or_default())
            );
        }
        html.push_str("</table>");
    }
    html.push_str("</section>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_the_document_is_escaped() {
        let document = serde_json::json!({
            "info": {"title": "t"},
            "paths": {"/x": {"get": {"tags": ["a"], "description": "<script>alert(1)</script>"}}},
        });
        let html = page(&document);
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"), "{html}");
    }
}
