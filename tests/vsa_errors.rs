//! Bad `#[trinity::vsa]` input is a compile error at the offending tokens, with a message that
//! says what to write instead. Each case is a file in tests/ui/attribute with the compiler's expected
//! output beside it (regenerate with `TRYBUILD=overwrite cargo test --test vsa_errors`, then
//! review the diff).

#[test]
fn bad_attribute_input_is_a_compile_error() {
    trybuild::TestCases::new().compile_fail("tests/ui/attribute/*.rs");
}
