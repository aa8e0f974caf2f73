//! The `#[trinity::vsa(dim = N)]` attribute of the `trinity` crate (use it from there, as
//! `trinity::vsa`): kernels for a known dimension, generated at compile time and baked into
//! executable sections of the program, behind the typed `trinity::Vsa` API.

#![forbid(unsafe_code)]

mod args;
mod expand;

use proc_macro::TokenStream;
use syn::parse::Parser as _;
use syn::spanned::Spanned;

/// Bake Trinity kernels for one dimension into the program and implement `trinity::Vsa`
/// for the unit struct the attribute is placed on.
///
/// ```ignore
/// use trinity::Vsa;
///
/// #[trinity::vsa(dim = 10000)]
/// pub struct Hv;
///
/// let a = Hv::random_bits(1)?;
/// let b = Hv::random_bits(2)?;
/// println!("cosine {}", Hv::cosine(&a, &b)?);
/// ```
///
/// Arguments (only `dim` is required):
/// - `dim = N`: the dimension, an integer literal in 1..=2^24.
/// - `ops(dot, bind, bundle, hamming, cosine, permute)`: the ops to bake (default: all).
/// - `layout = dense` or `layout = bits` (default: both).
/// - `permute(1, 3, -1)`: the permute shifts to bake, integer literals reduced mod D (default:
///   1; only with `permute` among the ops).
///
/// What it generates:
/// - For x86-64 (`avx2`) and AArch64 (`neon` and `dotprod`), as ELF, Mach-O or COFF, each
///   behind its `#[cfg]` (a procedural macro cannot know the target): every kernel as
///   `global_asm!` in an executable section of its own, 64-byte aligned, under a global
///   symbol that names the crate, its version, the struct and the expansion (so two crates
///   baking the same D never collide), e.g. `trinity_vsa_mycrate_0_1_0_Hv_0_bits_dot_10000_avx2`.
/// - A registry entry per kernel (`trinity::runtime::baked::registry`), which keeps the code
///   alive against linker garbage collection and lets the JIT engine serve these keys
///   without compiling.
/// - `impl trinity::Vsa for <struct>`: every op for both vector types; operands of another
///   dimension are a typed error. Each call runs the best baked tier this CPU has, and
///   otherwise the JIT engine (then portable Rust).
///
/// Bad arguments are compile errors at the offending tokens that say what to write instead.
#[proc_macro_attribute]
pub fn vsa(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    match vsa_impl(attr.into(), item.clone()) {
        Ok(tokens) => tokens.into(),
        // The item as written stays, so the attribute's error is the only one reported.
        Err(e) => {
            let error = e.to_compile_error();
            quote::quote!(#item #error).into()
        }
    }
}

fn vsa_impl(
    attr: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> syn::Result<proc_macro2::TokenStream> {
    let mut parser = args::Parser::default();
    syn::meta::parser(|meta| parser.parse(meta)).parse2(attr)?;
    let args = parser.finish()?;
    let mut strukt: syn::ItemStruct = syn::parse2(item).map_err(|e| {
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
