//! The `#[trinity::vsa(dim = N)]` attribute: kernels for a known dimension, generated at
//! compile time and baked into executable sections of the program, behind a typed API.
//!
//! Use it through the `trinity` crate, on a unit struct:
//!
//! ```ignore
//! use trinity::Vsa;
//!
//! #[trinity::vsa(dim = 10000)]
//! pub struct Hv;
//!
//! let a = Hv::random_bits(1)?;
//! let b = Hv::random_bits(2)?;
//! println!("{}", Hv::cosine(&a, &b)?);
//! ```
//!
//! Arguments (only `dim` is required):
//! - `dim = N`: the dimension, an integer literal in 1..=2^24.
//! - `ops(dot, bind, bundle, hamming, cosine, permute)`: the ops to bake (default: all).
//! - `layout = dense` or `layout = bits` (default: both).
//! - `permute(1, 3, -1)`: the permute shifts to bake, integer literals reduced mod D
//!   (default: 1); other shifts are served by the JIT engine.
//!
//! The struct gets an implementation of `trinity::Vsa` (every op of the design's §1 for both
//! vector types, dimension mismatch a typed error). Kernels are emitted for x86-64 (`avx2`)
//! and AArch64 (`neon`, `dotprod`) as ELF, Mach-O or COFF sections behind `#[cfg]`, each
//! under a global symbol unique to the crate, struct and expansion; at run time the best baked
//! tier the CPU has is used and anything else falls back to the JIT engine.

mod args;
mod expand;

use proc_macro::TokenStream;
use syn::parse::Parser as _;
use syn::spanned::Spanned;

/// Bake Trinity kernels for one dimension into the program and implement `trinity::Vsa` for
/// the unit struct it is placed on. See the crate documentation for the arguments.
#[proc_macro_attribute]
pub fn vsa(attr: TokenStream, item: TokenStream) -> TokenStream {
    match vsa_impl(attr.into(), item.into()) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn vsa_impl(
    attr: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> syn::Result<proc_macro2::TokenStream> {
    let mut parser = args::Parser::default();
    syn::meta::parser(|meta| parser.parse(meta)).parse2(attr)?;
    let args = parser.finish()?;
    let mut strukt: syn::ItemStruct = syn::parse2(item.clone()).map_err(|e| {
        syn::Error::new(e.span(), "#[trinity::vsa] goes on a unit struct, e.g. `pub struct Hv;`")
    })?;
    if !matches!(strukt.fields, syn::Fields::Unit) || !strukt.generics.params.is_empty() {
        return Err(syn::Error::new(
            strukt.span(),
            "#[trinity::vsa] goes on a unit struct without generics, e.g. `pub struct Hv;`",
        ));
    }
    let ops: Vec<&str> = args.ops.iter().map(|op| op.name()).collect();
    let layouts: Vec<&str> = args.layouts.iter().map(|l| l.name()).collect();
    let doc = format!(
        "\n\nTrinity kernels baked for D = {} (ops: {}; layouts: {}), used through \
         [`trinity::Vsa`](::trinity::Vsa).",
        args.dim,
        ops.join(", "),
        layouts.join(", ")
    );
    strukt.attrs.push(syn::parse_quote!(#[doc = #doc]));
    let extra = expand::expand(&strukt.ident, &args)?;
    Ok(quote::quote!(#strukt #extra))
}
