use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

db_test!(regions_list_the_eighteen_ars, |app| {
    let reply = app.get("/api/v1/regions").await;
    assert_eq!(reply.status, StatusCode::OK);
    let codes: Vec<&str> = reply.body.as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), 18);
    assert_eq!(codes[..3], ["ARA", "BFC", "BRE"]);
    assert_eq!(codes[13..], ["GUA", "GUY", "MAR", "MAY", "REU"]);
});

db_test!(the_taxonomy_has_its_domains_subdomains_and_synonyms, |app| {
    let reply = app.get("/api/v1/taxonomy").await;
    assert_eq!(reply.status, StatusCode::OK);
    let domains = reply.body.as_array().unwrap();
    assert_eq!(domains.len(), 17);
    let dpi = domains.iter().find(|d| d["code"] == "DPI").unwrap();
    assert_eq!(dpi["label"], "Dossier patient informatisé");
    let subdomains: Vec<&str> =
        dpi["subdomains"].as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap()).collect();
    assert_eq!(subdomains, ["DPI.CORE", "DPI.PSY", "DPI.SSR", "DPI.MS", "DPI.SPE"]);
    let urg = domains.iter().find(|d| d["code"] == "URG").unwrap();
    let rpu = &urg["subdomains"][0]["synonyms"];
    assert!(rpu.as_array().unwrap().iter().any(|s| s == "RPU"), "{rpu}");
});

db_test!(catalogue_search_ignores_case_accents_and_punctuation, |app| {
    let reply = app.get("/api/v1/catalogue/products?q=hopital%20MANAGER").await;
    assert_eq!(reply.status, StatusCode::OK);
    let names: Vec<&str> =
        reply.body["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Hopital Manager", "Hopital Manager GAP"]);

    let cristal = app.get("/api/v1/catalogue/products?q=cristal-net").await;
    let first = &cristal.body["items"][0];
    assert_eq!(first["name"], "CristalNet");

    let orbis = app.get("/api/v1/catalogue/products?q=orbis").await;
    let orbis = orbis.body["items"].as_array().unwrap().iter().find(|p| p["name"] == "ORBIS").cloned().unwrap();
    assert_eq!(orbis["vendor"], "Dedalus");
    assert_eq!(orbis["former_vendors"], serde_json::json!(["Agfa HealthCare"]));
    assert_eq!(orbis["default_subdomain"], "DPI.CORE");
});

db_test!(catalogue_listing_is_paginated_in_a_stable_order, |app| {
    let names = |r: &Reply| -> Vec<String> {
        r.body["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect()
    };
    let mut all = Vec::new();
    for page in 1..=3 {
        let reply = app.get(&format!("/api/v1/catalogue/products?page={page}&page_size=40")).await;
        assert_eq!(reply.body["total_items"], 91);
        assert_eq!(reply.body["total_pages"], 3);
        let again = app.get(&format!("/api/v1/catalogue/products?page={page}&page_size=40")).await;
        assert_eq!(names(&reply), names(&again), "the same page twice is the same");
        all.extend(names(&reply));
    }
    assert_eq!(all.len(), 91);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 91, "pages neither overlap nor skip");
    let too_big = app.get("/api/v1/catalogue/products?page_size=500").await;
    assert_problem(&too_big, StatusCode::BAD_REQUEST, "bad-request");
    let zero = app.get("/api/v1/catalogue/products?page=0").await;
    assert_problem(&zero, StatusCode::BAD_REQUEST, "bad-request");
});
