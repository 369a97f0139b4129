//! The fortunes corpus reader (`attnmech::models::text`) on small files written here.

use attnmech::models::text::{read_fortune_sentences, SentenceFilter};
use attnmech::Error;

fn filter() -> SentenceFilter {
    SentenceFilter {
        min_words: 3,
        max_words: 12,
        count: 10,
        seed: 1,
    }
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("attnmech_fortunes_{tag}_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn keeps_single_sentences_only() {
    let dir = temp_dir("filter");
    // Kept: one sentence over two lines. Dropped: attribution, two sentences, too short, no
    // terminator, dialogue.
    std::fs::write(
        dir.join("f"),
        "A fool and his money\n  are soon parted.\n%\nBe yourself.\n\t\t-- Oscar Wilde\n%\n\
         One thing. Another thing.\n%\nHi there.\n%\nNo terminator at the end\n%\n\
         Q: Why? A: Because.\n%\n",
    )
    .unwrap();
    let got = read_fortune_sentences(&dir, &filter()).unwrap();
    assert_eq!(
        got,
        vec!["A fool and his money are soon parted.".to_string()]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn reads_dedups_selects_by_seed_and_rejects_bad_input() {
    let dir = temp_dir("dedup");
    std::fs::write(
        dir.join("a"),
        "Time flies like an arrow today.\n%\nFruit flies like a banana, they say.\n%\n",
    )
    .unwrap();
    std::fs::write(dir.join("b"), "time flies like  an arrow today.\n%\n").unwrap();
    std::fs::write(dir.join("a.dat"), [0u8, 159, 146, 150]).unwrap();
    let got = read_fortune_sentences(&dir, &filter()).unwrap();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got, read_fortune_sentences(&dir, &filter()).unwrap());
    let one = SentenceFilter {
        count: 1,
        ..filter()
    };
    assert_eq!(read_fortune_sentences(&dir, &one).unwrap().len(), 1);
    let missing = read_fortune_sentences(&dir.join("absent"), &filter());
    assert!(matches!(missing, Err(Error::File { .. })), "{missing:?}");
    let empty_range = SentenceFilter {
        min_words: 5,
        max_words: 4,
        ..filter()
    };
    assert!(matches!(
        read_fortune_sentences(&dir, &empty_range),
        Err(Error::InvalidArgument { .. })
    ));
    let too_many = SentenceFilter {
        count: usize::MAX,
        ..filter()
    };
    assert!(matches!(
        read_fortune_sentences(&dir, &too_many),
        Err(Error::TooLarge { .. })
    ));
    let strict = SentenceFilter {
        min_words: 11,
        ..filter()
    };
    assert!(matches!(
        read_fortune_sentences(&dir, &strict),
        Err(Error::Empty { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}
