//! The code the attribute writes: for every target it can bake for, the kernels as
//! `global_asm!` in executable sections, their registry entries, and the `Vsa` impl.

use crate::args::Args;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use std::collections::hash_map::{Entry, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use trinity_emit::asm_source::kernel_source;
use trinity_emit::kernels::{generate, spec_set, Arch, Kernel, KernelSpec, Tier};
use trinity_emit::object_file::{call_conv_for, ObjectFormat};

/// One (architecture, object format) the kernels are baked for, with the `cfg` selecting it.
struct Target {
    cfg: TokenStream,
    arch: Arch,
    format: ObjectFormat,
}

/// Every architecture with kernels, in each object format (Mach-O on Apple targets, COFF on
/// Windows and UEFI, ELF elsewhere).
fn targets() -> Vec<Target> {
    let apple = quote!(target_vendor = "apple");
    let coff = quote!(any(target_os = "windows", target_os = "uefi"));
    let mut out = Vec::new();
    for arch in Arch::ALL {
        let name = arch.name();
        let is = quote!(target_arch = #name);
        out.push(Target {
            cfg: quote!(all(#is, not(#apple), not(#coff))),
            arch,
            format: ObjectFormat::Elf,
        });
        out.push(Target { cfg: quote!(all(#is, #apple)), arch, format: ObjectFormat::MachO });
        out.push(Target { cfg: quote!(all(#is, #coff)), arch, format: ObjectFormat::Coff });
    }
    out
}

/// A prefix no other expansion shares: the crate (name and version), the struct, and the
/// expansion's number within this compilation of the crate.
fn symbol_prefix(name: &Ident) -> String {
    static EXPANSIONS: AtomicUsize = AtomicUsize::new(0);
    let n = EXPANSIONS.fetch_add(1, Ordering::Relaxed);
    let env = |var: &str| std::env::var(var).unwrap_or_default();
    let clean = |s: String| -> String {
        s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
    };
    format!(
        "trinity_vsa_{}_{}_{}_{n}",
        clean(env("CARGO_CRATE_NAME")),
        clean(env("CARGO_PKG_VERSION")),
        clean(name.to_string())
    )
}

/// The spec as a `KernelSpec` literal. The enums' derived `Debug` is their variant name, so each
/// field is written as `Enum::Variant`.
fn spec_tokens(spec: &KernelSpec) -> TokenStream {
    let variant = |value: &dyn std::fmt::Debug| format_ident!("{}", format!("{value:?}"));
    let (op, layout) = (variant(&spec.op), variant(&spec.layout));
    let (tier, conv) = (variant(&spec.tier), variant(&spec.conv));
    let (dim, shift) = (spec.dim, spec.shift);
    let (popcount, unroll, ymm) =
        (variant(&spec.variant.popcount), spec.variant.unroll, spec.variant.ymm);
    quote! {
        ::trinity::emit::kernels::KernelSpec {
            op: ::trinity::emit::kernels::Op::#op,
            layout: ::trinity::emit::kernels::Layout::#layout,
            dim: #dim,
            tier: ::trinity::emit::kernels::Tier::#tier,
            shift: #shift,
            conv: ::trinity::emit::kernels::CallConv::#conv,
            variant: ::trinity::emit::kernels::Variant {
                popcount: ::trinity::emit::kernels::Popcount::#popcount,
                unroll: #unroll,
                ymm: #ymm,
            },
        }
    }
}

/// Everything the attribute adds after the struct `name`.
pub fn expand(name: &Ident, args: &Args) -> syn::Result<TokenStream> {
    let prefix = symbol_prefix(name);
    let dim = args.dim as usize;
    let (mut asm, mut blocks, mut cfgs) = (Vec::new(), Vec::new(), Vec::new());
    // Formats share code (ELF and Mach-O both take the native convention): generate each spec
    // once.
    let mut generated: HashMap<KernelSpec, Kernel> = HashMap::new();
    for (t, target) in targets().into_iter().enumerate() {
        let mut source = String::new();
        let (mut fns, mut statics, mut entries) = (Vec::new(), Vec::new(), Vec::new());
        for tier in Tier::ALL.into_iter().filter(|t| t.arch() == target.arch) {
            let specs = spec_set(&[args.dim], &args.ops, &args.layouts, &args.shifts, tier);
            for mut spec in specs {
                spec.conv = call_conv_for(target.format, target.arch);
                let kernel = match generated.entry(spec) {
                    Entry::Occupied(done) => done.into_mut(),
                    Entry::Vacant(slot) => slot.insert(generate(&spec).map_err(|e| {
                        syn::Error::new(Span::call_site(), format!("cannot generate {spec}: {e}"))
                    })?),
                };
                let symbol =
                    format!("{prefix}_{}_{}", &spec.symbol()["trinity_".len()..], tier.name());
                source.push_str(&kernel_source(kernel, &symbol, target.format));
                let i = entries.len();
                let (f, k) =
                    (format_ident!("__trinity_k{t}_{i}"), format_ident!("__TRINITY_K{t}_{i}"));
                let (spec, len) = (spec_tokens(&spec), kernel.code.len());
                fns.push(quote!(#[link_name = #symbol] fn #f();));
                // SAFETY (of the generated `unsafe` block): the global_asm! of this target
                // defines `symbol` as exactly trinity-emit's code for `spec`, `len` bytes, in an
                // executable section of the program.
                statics.push(quote! {
                    #[::trinity::runtime::__private::linkme::distributed_slice(
                        ::trinity::runtime::baked::BAKED_KERNELS
                    )]
                    #[linkme(crate = ::trinity::runtime::__private::linkme)]
                    static #k: ::trinity::runtime::baked::BakedKernel = unsafe {
                        ::trinity::runtime::baked::BakedKernel::new(#spec, #symbol, #f, #len)
                    };
                });
                entries.push(k);
            }
        }
        let cfg = &target.cfg;
        // global_asm! is a module-level item; the rest stays inside `const _` below.
        asm.push(quote! {
            #[cfg(#cfg)]
            ::core::arch::global_asm!(#source);
        });
        blocks.push(quote! {
            #[cfg(#cfg)]
            unsafe extern "C" { #(#fns)* }
            #(#[cfg(#cfg)] #statics)*
            #[cfg(#cfg)]
            static __TRINITY_ENTRIES: &[&::trinity::runtime::baked::BakedKernel] = &[#(&#entries),*];
        });
        cfgs.push(target.cfg);
    }
    Ok(quote! {
        #(#asm)*
        #[allow(unsafe_code, non_upper_case_globals)]
        const _: () = {
            #(#blocks)*
            #[cfg(not(any(#(#cfgs),*)))]
            static __TRINITY_ENTRIES: &[&::trinity::runtime::baked::BakedKernel] = &[];

            impl ::trinity::runtime::Vsa for #name {
                const DIM: usize = #dim;
                fn kernels() -> &'static ::trinity::runtime::KernelTable<'static> {
                    static TABLE: ::std::sync::OnceLock<::trinity::runtime::KernelTable<'static>> =
                        ::std::sync::OnceLock::new();
                    TABLE.get_or_init(|| ::trinity::runtime::KernelTable::baked(#dim, __TRINITY_ENTRIES))
                }
            }
        };
    })
}
