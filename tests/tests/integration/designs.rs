//! Design retrieval end to end: the retrieve routes over the built-in corpus and over
//! published generations (data folder and S3 on moto), provider embedders over their exact
//! wire formats, and the designs a generation is grounded in.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;
use visions_designs::store::{DESIGN_INDEX, IndexStore, LiveIndex};
use visions_designs::{DesignIndex, corpus};
use visions_embed::{Embedders, StaticEmbedder};
use visions_llm::embeddings::ProviderEmbedders;
use visions_model_config::ModelSettings;
use visions_tests::TestApp;
use visions_tests::fake_llm::{FakeProvider, FakeReply, Protocol};

fn ids(reply: &visions_tests::Reply) -> Vec<String> {
    reply.body["designs"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|h| h["design"]["id"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn search_answers_briefs_and_refuses_bad_queries() {
    let app = TestApp::sqlite().await;
    let found = app
        .get("alice", "/v1/designs/search?q=teeth%20whitening%20studio")
        .await;
    assert_eq!(found.status, StatusCode::OK, "{:?}", found.body);
    assert_eq!(found.body["embedder"], visions_embed::BUILTIN_NAME);
    assert!(found.body.get("generation").is_none());
    assert_eq!(ids(&found).len(), 3);
    assert_eq!(found.body["designs"][0]["design"]["industry"], "dental");
    assert!(
        found.body["designs"][0]["score"]
            .as_f64()
            .is_some_and(|s| s > 0.0 && s <= 1.0)
    );

    let five = app
        .get(
            "alice",
            "/v1/designs/search?q=bakery&k=5&industry=bakery_food_shop",
        )
        .await;
    assert_eq!(ids(&five).len(), 5);
    assert!(
        five.body["designs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["design"]["industry"] == "bakery_food_shop")
    );

    let first = ids(&found).remove(0);
    let one = app.get("alice", &format!("/v1/designs/{first}")).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.body, found.body["designs"][0]["design"]);
    assert_eq!(
        app.get("alice", "/v1/designs/no-such-design").await.status,
        StatusCode::NOT_FOUND
    );

    for bad in [
        "/v1/designs/search",
        "/v1/designs/search?q=",
        "/v1/designs/search?q=%20%20",
        "/v1/designs/search?q=a%00b",
        "/v1/designs/search?q=x&k=0",
        "/v1/designs/search?q=x&k=21",
        "/v1/designs/search?q=x&k=three",
        "/v1/designs/search?q=x&industry=casino",
        "/v1/designs/search?q=x&goal=win",
    ] {
        let reply = app.get("alice", bad).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(reply.problem(), "invalid-query", "{bad}");
    }
    let long = format!("/v1/designs/search?q={}", "a".repeat(1001));
    assert_eq!(
        app.get("alice", &long).await.status,
        StatusCode::BAD_REQUEST
    );
    let anonymous = app
        .get_with_authorization("/v1/designs/search?q=bakery", "")
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

fn subset(count: usize) -> DesignIndex {
    let embedder = StaticEmbedder::builtin().unwrap();
    let designs: Vec<_> = corpus::records()
        .unwrap()
        .into_iter()
        .rev()
        .take(count)
        .collect();
    let vectors = designs
        .iter()
        .map(|d| embedder.embed_one(&d.search_text()))
        .collect();
    DesignIndex::new(designs, visions_embed::BUILTIN_NAME, vectors).unwrap()
}

/// A generation published to the stack's index store is what the routes answer from, once
/// the warm process looks at the manifest again.
async fn published_generation_is_served(app: &TestApp) {
    let store = IndexStore::new(
        app.stack.adapters.indexes.clone().expect("an index store"),
        DESIGN_INDEX,
    );
    let index = subset(12);
    let kept: Vec<String> = index.designs().map(|d| d.id.clone()).collect();
    store.publish(&index, "gen-1").await.unwrap();
    app.stack.designs.expire();
    let found = app
        .get("alice", "/v1/designs/search?q=a%20landing%20page&k=20")
        .await;
    assert_eq!(found.status, StatusCode::OK);
    assert_eq!(found.body["generation"], "gen-1");
    let got = ids(&found);
    assert_eq!(got.len(), 12);
    assert!(got.iter().all(|id| kept.contains(id)));
    let builtin_only = corpus::records().unwrap().remove(0).id;
    assert_eq!(
        app.get("alice", &format!("/v1/designs/{builtin_only}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_generation_in_the_data_folder_is_served() {
    published_generation_is_served(&TestApp::sqlite().await).await;
}

#[tokio::test]
async fn a_generation_in_s3_is_served() {
    published_generation_is_served(&TestApp::dynamo().await).await;
}

/// A cold start over S3: a generation whose f32 rows fill parts of their own is searched before
/// they are read (the rows a search ranks are read by range), answers as the whole index does,
/// and is swapped for the whole, checked index once the rest has arrived.
#[tokio::test]
async fn a_cold_start_opens_a_large_generation_in_s3_before_its_rows_arrive() {
    let sdk = visions_tests::moto::sdk_config().await;
    let client = visions_aws::s3_client(&sdk);
    let bucket = visions_tests::moto::unique("lazy-index");
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    let blobs: Arc<dyn visions_domain::ports::BlobStore> =
        Arc::new(visions_aws::S3BlobStore::new(client, &bucket, ""));
    let index = subset(60);
    IndexStore::new(blobs.clone(), DESIGN_INDEX)
        .with_part_bytes(4096)
        .publish(&index, "big")
        .await
        .unwrap();
    let live = LiveIndex::over(Some(blobs), Arc::new(visions_embed::BuiltinEmbedders));
    let loaded = live.current().await;
    assert_eq!(loaded.generation.as_deref(), Some("big"));
    assert!(loaded.index.is_lazy());
    let embedder = StaticEmbedder::builtin().unwrap();
    for query in [
        "neighbourhood bakery",
        "Zahnarztpraxis Termin buchen",
        "webinar registration",
    ] {
        let filter = Default::default();
        let scored = |found: Vec<visions_designs::Match<'_>>| -> Vec<(String, f32)> {
            found
                .into_iter()
                .map(|m| (m.design.id.clone(), m.score))
                .collect()
        };
        let got = loaded
            .index
            .search(embedder.as_ref(), query, 3, &filter)
            .await
            .unwrap();
        let want = index
            .search(embedder.as_ref(), query, 3, &filter)
            .await
            .unwrap();
        assert_eq!(scored(got), scored(want), "{query}");
    }
    let mut whole = live.current().await;
    for _ in 0..1000 {
        if !whole.index.is_lazy() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        whole = live.current().await;
    }
    assert!(!whole.index.is_lazy(), "never read whole");
    assert_eq!(whole.generation.as_deref(), Some("big"));
    assert_eq!(whole.index.to_bytes().ok(), index.to_bytes().ok());
}

/// A fake provider whose vectors are the built-in embedder's, padded to the real model's
/// dimension: a real semantic space spoken over the provider's own wire format.
async fn fake_embeddings(protocol: Protocol, dim: usize) -> FakeProvider {
    FakeProvider::start(protocol, move |request| {
        let texts = request.embedding_inputs();
        if texts.is_empty() {
            return FakeReply::error(protocol, 400, "no input");
        }
        // The first call is rate limited: the client must wait as told and retry.
        if request.index == 0 {
            let mut reply = FakeReply::error(protocol, 429, "slow down");
            reply.headers.push(("retry-after".into(), "0".into()));
            return reply;
        }
        let embedder = StaticEmbedder::builtin().unwrap();
        let vectors: Vec<Vec<f32>> = texts
            .iter()
            .map(|t| {
                let mut v = embedder.embed_one(t);
                v.resize(dim, 0.0);
                v
            })
            .collect();
        FakeReply::embeddings(protocol, "text-embedding-3-small", &vectors)
    })
    .await
}

#[tokio::test]
async fn provider_embedders_build_and_query_an_index_over_their_wire_formats() {
    for (protocol, name, dim, vars) in [
        (
            Protocol::OpenAi,
            "openai:text-embedding-3-small",
            1536,
            ["OPENAI_BASE_URL", "OPENAI_API_KEY"],
        ),
        (
            Protocol::Gemini,
            "gemini:text-embedding-004",
            768,
            ["GEMINI_BASE_URL", "GEMINI_API_KEY"],
        ),
    ] {
        let fake = fake_embeddings(protocol, dim).await;
        let base = if protocol == Protocol::OpenAi {
            fake.openai_base_url()
        } else {
            fake.url()
        };
        let lookup = |key: &str| {
            if key == vars[0] {
                Some(base.clone())
            } else if key == vars[1] {
                Some("test-key".to_owned())
            } else {
                None
            }
        };
        let app = TestApp::sqlite().await;
        let embedders = ProviderEmbedders::new(
            ModelSettings::from_lookup(lookup).unwrap(),
            app.stack.adapters.secrets.clone(),
        );
        let embedder = embedders.get(name).unwrap();
        let index = DesignIndex::build(corpus::records().unwrap(), embedder.as_ref())
            .await
            .unwrap();
        assert_eq!(index.embedder(), name);
        assert_eq!(index.dim(), dim);
        assert_eq!(embedder.dim(), dim);
        let found = index
            .search(
                embedder.as_ref(),
                "teeth whitening studio",
                3,
                &Default::default(),
            )
            .await
            .unwrap();
        assert_eq!(
            found.first().map(|m| m.design.industry.as_str()),
            Some("dental"),
            "{name}"
        );

        let requests = fake.requests();
        assert!(
            requests.len() >= 3,
            "{name}: rate limited once, then batches"
        );
        let auth = match protocol {
            Protocol::Gemini => requests[1].header("x-goog-api-key"),
            _ => requests[1].header("authorization"),
        };
        assert!(auth.is_some_and(|v| v.ends_with("test-key")), "{name}");
        if protocol == Protocol::Gemini {
            assert!(
                requests[1]
                    .path
                    .ends_with("/v1beta/models/text-embedding-004:batchEmbedContents")
            );
            assert_eq!(
                requests[1].body["requests"][0]["model"],
                "models/text-embedding-004"
            );
        } else {
            assert_eq!(requests[1].path, "/v1/embeddings");
            assert_eq!(requests[1].body["model"], "text-embedding-3-small");
        }

        // Querying it with another embedder is refused, not compared.
        let builtin = StaticEmbedder::builtin().unwrap();
        let refused = index
            .search(builtin.as_ref(), "bakery", 3, &Default::default())
            .await;
        assert!(refused.err().unwrap().to_string().contains(name));
    }
}

#[tokio::test]
async fn malformed_embedding_answers_are_errors() {
    for (body, what) in [
        (
            json!({"data": [{"index": 5, "embedding": [1.0]}]}),
            "out of range",
        ),
        (json!({"data": []}), "no embedding"),
        (json!({"nope": 1}), "embeddings response"),
    ] {
        let error = visions_llm::embeddings::parse_openai(body.to_string().as_bytes(), 1)
            .err()
            .unwrap();
        assert!(error.to_string().contains(what), "{error}");
    }
    let gemini = visions_llm::embeddings::parse_gemini(br#"{"embeddings":[{"values":[1]}]}"#, 2);
    assert!(
        gemini
            .err()
            .unwrap()
            .to_string()
            .contains("1 embeddings for 2")
    );
    let unknown = ProviderEmbedders::new(
        ModelSettings::from_lookup(|_| None).unwrap(),
        Arc::new(visions_local::LocalSecrets::new(std::path::Path::new(
            "/nonexistent",
        ))),
    );
    assert!(
        unknown
            .get("openai:text-embedding-3-small")
            .err()
            .unwrap()
            .to_string()
            .contains("OPENAI")
    );
    assert!(unknown.get("anthropic:claude").is_err());
}

#[tokio::test]
async fn a_generation_is_grounded_in_the_designs_search_returns() {
    let app = TestApp::sqlite().await;
    let project = app.create_project("alice", "Crumb").await;
    let prompt = "Crumb, a family bakery in Leeds selling sourdough loaves and birthday cakes for weekend pickup";
    let accepted = app
        .start_generation("alice", &project, json!({"prompt": prompt}), "designs")
        .await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED);
    app.drain().await;
    let version = app
        .get("alice", &format!("/v1/projects/{project}/versions/1"))
        .await;
    assert_eq!(version.status, StatusCode::OK, "{:?}", version.body);
    let provenance: Vec<String> =
        serde_json::from_value(version.body["page"]["provenance"]["design_ids"].clone()).unwrap();
    let q = format!("{prompt} Crumb");
    let search = app
        .get(
            "alice",
            &format!(
                "/v1/designs/search?q={}",
                q.replace(' ', "%20").replace(',', "%2C")
            ),
        )
        .await;
    assert_eq!(provenance, ids(&search));
    assert_eq!(
        search.body["designs"][0]["design"]["industry"],
        "bakery_food_shop"
    );
    // Sections name the design whose pattern they follow.
    let sources: Vec<&str> = version.body["page"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["source"]["design_id"].as_str())
        .collect();
    assert!(!sources.is_empty());
    assert!(sources.iter().all(|id| provenance.iter().any(|p| p == id)));
}
