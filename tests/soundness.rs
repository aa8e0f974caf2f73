//! What safe code outside the crate must not be able to do: run bytes Trinity did not generate,
//! or write a value into a vector that breaks its invariants. Each case is a file in
//! tests/ui/soundness with the compiler's expected output beside it (regenerate with
//! `TRYBUILD=overwrite cargo test --test soundness`, then review the diff).

#[test]
fn unsound_patterns_do_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/ui/soundness/*.rs");
}
