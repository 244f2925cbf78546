//! The Rust embedder against the Python distillation's own output (`model/reference.json`,
//! written by `scripts/distill-embedder`): the same tokens, the same vectors.

use visions_embed::StaticEmbedder;

#[test]
fn tokens_and_vectors_match_the_python_reference() {
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("../model/reference.json")).expect("reference parses");
    let embedder = StaticEmbedder::builtin().expect("the built-in model loads");
    let sentences = reference["sentences"].as_array().expect("sentences");
    assert!(sentences.len() >= 8);
    for sentence in sentences {
        let name = sentence["name"].as_str().unwrap_or("?");
        let text = sentence["text"].as_str().expect("text");
        let want_ids: Vec<u32> =
            serde_json::from_value(sentence["token_ids"].clone()).expect("ids");
        assert_eq!(
            embedder.tokenizer().encode(text),
            want_ids,
            "tokens of {name}"
        );
        let want: Vec<f32> = serde_json::from_value(sentence["embedding"].clone()).expect("vector");
        let got = embedder.embed_one(text);
        assert_eq!(got.len(), want.len(), "{name}");
        let worst = got
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 2e-5, "{name}: off by {worst}");
    }
}

#[test]
fn texts_about_the_same_business_are_closer_than_unrelated_ones() {
    let e = StaticEmbedder::builtin().expect("model");
    let cos = |a: &str, b: &str| -> f32 {
        e.embed_one(a)
            .iter()
            .zip(e.embed_one(b))
            .map(|(x, y)| x * y)
            .sum()
    };
    let dental = "dental practice teeth whitening and check-ups";
    assert!(
        cos("teeth whitening studio", dental)
            > cos("teeth whitening studio", "coworking desks for freelancers")
    );
    assert!(
        cos("sourdough bakery", "artisan bread and pastries shop")
            > cos("sourdough bakery", "personal injury lawyer")
    );
    assert_eq!(e.embed_one("").iter().filter(|x| **x != 0.0).count(), 0);
    assert_eq!(
        e.embed_one("\u{1F600}\u{1F600}")
            .iter()
            .filter(|x| **x != 0.0)
            .count(),
        0
    );
}
