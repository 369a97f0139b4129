//! Loading: safetensors round trip, and typed errors naming the file and tensor for every kind of
//! bad file (no weights needed: the files are written here).

use attnmech::models::load::{read_config, read_params};
use attnmech::models::params::tensor_specs;
use attnmech::models::{Config, MiniLm, Params};
use attnmech::Error;
use safetensors::{Dtype, View};
use std::path::PathBuf;

fn tiny() -> Config {
    Config {
        vocab_size: 13,
        hidden: 8,
        layers: 2,
        heads: 2,
        intermediate: 16,
        max_positions: 10,
        type_vocab_size: 2,
        layer_norm_eps: 1e-12,
        causal: false,
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("attnmech-models-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One tensor to write: name, dtype, shape, little-endian bytes.
struct Raw(String, Dtype, Vec<usize>, Vec<u8>);

impl View for &Raw {
    fn dtype(&self) -> Dtype {
        self.1
    }
    fn shape(&self) -> &[usize] {
        &self.2
    }
    fn data(&self) -> std::borrow::Cow<'_, [u8]> {
        std::borrow::Cow::Borrowed(&self.3)
    }
    fn data_len(&self) -> usize {
        self.3.len()
    }
}

fn raws(c: &Config, p: &Params<f32>) -> Vec<Raw> {
    tensor_specs(c)
        .into_iter()
        .zip(p.tensors())
        .map(|(s, t)| {
            Raw(
                s.name,
                Dtype::F32,
                s.shape,
                t.iter().flat_map(|x| x.to_le_bytes()).collect(),
            )
        })
        .collect()
}

fn write(path: &PathBuf, raws: &[Raw]) {
    let bytes = safetensors::serialize(raws.iter().map(|r| (r.0.clone(), r)), None).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn parse_message(e: Error) -> String {
    match e {
        Error::Parse(m) => m,
        other => panic!("expected Error::Parse, got {other:?}"),
    }
}

#[test]
fn safetensors_round_trip() {
    let c = tiny();
    let p = Params::<f32>::init(&c, 5);
    let path = temp_dir("roundtrip").join("model.safetensors");
    write(&path, &raws(&c, &p));
    assert_eq!(read_params::<f32>(&path, &c).unwrap(), p);
    let p64 = read_params::<f64>(&path, &c).unwrap();
    assert_eq!(p64, p.cast::<f64>(&c));
}

#[test]
fn bad_weights_give_errors_naming_file_and_tensor() {
    let c = tiny();
    let p = Params::<f32>::init(&c, 6);
    let dir = temp_dir("bad");
    let path = dir.join("model.safetensors");
    let target = "encoder.layer.1.intermediate.dense.weight";

    let mut wrong_shape = raws(&c, &p);
    let t = wrong_shape.iter_mut().find(|r| r.0 == target).unwrap();
    t.2 = vec![c.hidden, c.intermediate]; // transposed
    write(&path, &wrong_shape);
    let msg = parse_message(read_params::<f32>(&path, &c).unwrap_err());
    assert!(
        msg.contains(target) && msg.contains("model.safetensors") && msg.contains("shape"),
        "{msg}"
    );

    let missing: Vec<Raw> = raws(&c, &p).into_iter().filter(|r| r.0 != target).collect();
    write(&path, &missing);
    let msg = parse_message(read_params::<f32>(&path, &c).unwrap_err());
    assert!(msg.contains(target) && msg.contains("missing"), "{msg}");

    let mut wrong_dtype = raws(&c, &p);
    let t = wrong_dtype.iter_mut().find(|r| r.0 == target).unwrap();
    t.1 = Dtype::I32;
    write(&path, &wrong_dtype);
    let msg = parse_message(read_params::<f32>(&path, &c).unwrap_err());
    assert!(msg.contains(target) && msg.contains("dtype"), "{msg}");

    let mut nan = raws(&c, &p);
    nan[0].3[..4].copy_from_slice(&f32::NAN.to_le_bytes());
    write(&path, &nan);
    let msg = parse_message(read_params::<f32>(&path, &c).unwrap_err());
    assert!(
        msg.contains("word_embeddings") && msg.contains("non-finite"),
        "{msg}"
    );

    // A header claiming an absurd length, and a truncated file: errors, no allocation or panic.
    let mut huge = u64::MAX.to_le_bytes().to_vec();
    huge.extend_from_slice(b"{}");
    std::fs::write(&path, huge).unwrap();
    parse_message(read_params::<f32>(&path, &c).unwrap_err());
    std::fs::write(&path, [1u8, 2, 3]).unwrap();
    parse_message(read_params::<f32>(&path, &c).unwrap_err());

    let absent = dir.join("absent.safetensors");
    assert!(matches!(
        read_params::<f32>(&absent, &c),
        Err(Error::File { path, .. }) if path == absent
    ));
    assert!(matches!(
        MiniLm::load(&dir.join("no-such-model")),
        Err(Error::File { .. })
    ));
}

#[test]
fn bad_configs_are_rejected() {
    let dir = temp_dir("config");
    let path = dir.join("config.json");
    let good = r#"{"model_type":"bert","hidden_act":"gelu","vocab_size":13,"hidden_size":8,
        "num_hidden_layers":2,"num_attention_heads":2,"intermediate_size":16,
        "max_position_embeddings":10,"type_vocab_size":2,"layer_norm_eps":1e-12}"#;
    std::fs::write(&path, good).unwrap();
    assert_eq!(read_config(&path).unwrap(), tiny());
    for bad in [
        good.replace("\"num_attention_heads\":2", "\"num_attention_heads\":3"),
        good.replace("\"hidden_size\":8", "\"hidden_size\":0"),
        good.replace("\"vocab_size\":13", "\"vocab_size\":-1"),
        good.replace("\"vocab_size\":13", "\"vocab_size\":99999999999"),
        good.replace("\"gelu\"", "\"relu\""),
        good.replace('}', ""),
    ] {
        std::fs::write(&path, &bad).unwrap();
        assert!(read_config(&path).is_err(), "accepted {bad}");
    }
}

/// A valid safetensors file cut short (header intact, data missing), random bytes, a config whose
/// parameter count is over the cap, and a model folder without `tokenizer.json`: typed errors
/// naming the path, before anything sized from the file is allocated.
#[test]
fn hostile_model_files_give_typed_errors_naming_the_path() {
    let c = tiny();
    let p = Params::<f32>::init(&c, 7);
    let dir = temp_dir("hostile");
    let path = dir.join("model.safetensors");
    write(&path, &raws(&c, &p));
    let full = std::fs::read(&path).unwrap();
    for cut in [9, full.len() / 2, full.len() - 1] {
        std::fs::write(&path, &full[..cut]).unwrap();
        let msg = parse_message(read_params::<f32>(&path, &c).unwrap_err());
        assert!(msg.contains("model.safetensors"), "cut {cut}: {msg}");
    }
    let mut garbage = vec![0u8; 4096];
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for b in &mut garbage {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    std::fs::write(&path, &garbage).unwrap();
    parse_message(read_params::<f32>(&path, &c).unwrap_err());

    // 30 layers of a 4096-wide model exceed MAX_PARAMS: rejected before the file is opened.
    let big = Config {
        hidden: 4096,
        intermediate: 16384,
        layers: 30,
        heads: 64,
        ..tiny()
    };
    let r = read_params::<f32>(&dir.join("never-read.safetensors"), &big);
    assert!(
        matches!(
            r,
            Err(Error::TooLarge {
                what: "model parameters",
                ..
            })
        ),
        "{r:?}"
    );

    // config.json and weights present, tokenizer.json missing.
    let model = dir.join("model");
    std::fs::create_dir_all(&model).unwrap();
    write(&model.join("model.safetensors"), &raws(&c, &p));
    std::fs::write(
        model.join("config.json"),
        r#"{"model_type":"bert","hidden_act":"gelu","vocab_size":13,"hidden_size":8,
        "num_hidden_layers":2,"num_attention_heads":2,"intermediate_size":16,
        "max_position_embeddings":10,"type_vocab_size":2,"layer_norm_eps":1e-12}"#,
    )
    .unwrap();
    let tok = model.join("tokenizer.json");
    let r = MiniLm::load(&model);
    assert!(
        matches!(&r, Err(Error::File { path, .. }) if *path == tok),
        "{:?}",
        r.err()
    );
    std::fs::write(&tok, b"{not json").unwrap();
    let r = MiniLm::load(&model);
    assert!(
        matches!(&r, Err(Error::Parse(m)) if m.contains("tokenizer.json")),
        "{:?}",
        r.err()
    );
    std::fs::remove_dir_all(&dir).ok();
}
