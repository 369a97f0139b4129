//! Two replay tests per fuzz target (see [`super::replay`]): `<target>` on well-posed inputs and
//! `<target>_hostile` on hostile ones plus the committed corpus and artifacts. The attention
//! target's own tests are in `attention.rs`. A hostile replay marked ignored still finds an open
//! bug (listed in `proofs-notes/fuzzing.md`); enable it with the fix.

use super::replay;

macro_rules! replay_tests {
    ($($(#[$meta:meta])* $name:ident, $hostile_name:ident $(($pending:literal))?: $seeded:expr, $max_len:expr;)*) => {
        $(
            /// Claim: no panic and every contract check of the body holds on well-posed seeded
            /// and structured inputs.
            #[test]
            $(#[$meta])*
            fn $name() {
                replay(stringify!($name), $seeded, $max_len, false);
            }

            /// Claim: no panic, abort or non-finite `Ok` on hostile seeded and structured inputs
            /// and on every committed corpus entry and crash artifact.
            #[test]
            $(#[$meta])*
            $(#[ignore = $pending])?
            fn $hostile_name() {
                replay(stringify!($name), $seeded, $max_len, true);
            }
        )*
    };
}

replay_tests! {
    linalg, linalg_hostile: 1000, 256;
    ops, ops_hostile: 1500, 128;
    #[cfg(feature = "papers")] analyze_json, analyze_json_hostile: 1000, 256;
    #[cfg(feature = "papers")] analyze_structured, analyze_structured_hostile: 500, 256;
    #[cfg(feature = "papers")] attsvm, attsvm_hostile: 500, 192;
    #[cfg(feature = "papers")] cascade, cascade_hostile: 1500, 128;
    #[cfg(feature = "papers")] ccmc, ccmc_hostile: 1000, 192;
    #[cfg(feature = "papers")] distill, distill_hostile: 1500, 192;
    #[cfg(feature = "papers")] embed_distill, embed_distill_hostile: 1500, 128;
    #[cfg(feature = "papers")] memorisation, memorisation_hostile: 1500, 128;
    #[cfg(feature = "papers")] nexttoken, nexttoken_hostile: 500, 192;
    #[cfg(feature = "papers")] pause, pause_hostile: 1000, 512;
    #[cfg(feature = "papers")] prompt_attention, prompt_attention_hostile: 1000, 128;
    #[cfg(feature = "papers")] qp, qp_hostile: 1000, 192;
    #[cfg(feature = "papers")] resmem, resmem_hostile: 1500, 192;
    #[cfg(feature = "papers")] specdec, specdec_hostile: 1500, 192;
    #[cfg(feature = "papers")] supervision, supervision_hostile: 1000, 192;
}
