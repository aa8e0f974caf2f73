//! Parsing the attribute's arguments: `dim = N`, `ops(...)`, `layout = ...`, `permute(...)`.
//! Every mistake is an error at the offending tokens that says what to write instead.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseBuffer;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Error, Expr, ExprLit, ExprUnary, Ident, Lit, LitInt, Result, Token, UnOp};
use trinity_emit::kernels::{Layout, Op, MAX_DIM};

/// What the attribute asked for.
pub struct Args {
    /// The dimension D.
    pub dim: u32,
    /// The ops to bake, in [`Op::ALL`] order.
    pub ops: Vec<Op>,
    /// The layouts to bake.
    pub layouts: Vec<Layout>,
    /// Permute shifts as written (reduced mod D later).
    pub shifts: Vec<i64>,
}

/// The keys the attribute takes, for messages.
const KEYS: &str = "`dim = N`, `ops(...)`, `layout = dense|bits` and `permute(k, ...)`";

#[derive(Default)]
pub struct Parser {
    dim: Option<u32>,
    ops: Option<Vec<Op>>,
    layout: Option<Layout>,
    shifts: Option<(Vec<i64>, Span)>,
}

/// Reject a second occurrence of `key`.
fn once<T>(slot: &Option<T>, meta: &ParseNestedMeta, key: &str) -> Result<()> {
    if slot.is_some() {
        Err(meta.error(format!("duplicate `{key}`: give each key once")))
    } else {
        Ok(())
    }
}

fn op_named(name: &str) -> Option<Op> {
    Op::ALL.into_iter().find(|op| op.name() == name)
}

fn op_names() -> String {
    Op::ALL.map(Op::name).join(", ")
}

impl Parser {
    /// Take one `key ...` of the list.
    pub fn parse(&mut self, meta: ParseNestedMeta) -> Result<()> {
        let key = meta.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
        match key.as_str() {
            "dim" => {
                once(&self.dim, &meta, "dim")?;
                self.dim = Some(parse_dim(&meta)?);
            }
            "ops" => {
                once(&self.ops, &meta, "ops")?;
                self.ops = Some(parse_ops(&meta)?);
            }
            "layout" => {
                once(&self.layout, &meta, "layout")?;
                self.layout = Some(parse_layout(&meta)?);
            }
            "permute" => {
                once(&self.shifts, &meta, "permute")?;
                let span = meta.path.span();
                self.shifts = Some((parse_shifts(&meta)?, span));
            }
            _ => {
                return Err(meta.error(format!(
                    "unknown key `{}`: #[trinity::vsa] takes {KEYS}",
                    meta.path.get_ident().map_or_else(|| "?".to_string(), |i| i.to_string())
                )))
            }
        }
        Ok(())
    }

    /// Check the whole list.
    pub fn finish(self) -> Result<Args> {
        let Some(dim) = self.dim else {
            return Err(Error::new(
                Span::call_site(),
                "missing `dim`: write the dimension, e.g. `#[trinity::vsa(dim = 10000)]`",
            ));
        };
        let ops = self.ops.unwrap_or_else(|| Op::ALL.to_vec());
        let shifts =
            match self.shifts {
                Some((_, span)) if !ops.contains(&Op::Permute) => return Err(Error::new(
                    span,
                    "`permute(...)` names shifts, but `permute` is not in `ops(...)`: add it to \
                     `ops(...)` or remove `permute(...)`",
                )),
                Some((shifts, _)) => shifts,
                None => vec![1],
            };
        let layouts = self.layout.map_or_else(|| Layout::ALL.to_vec(), |l| vec![l]);
        Ok(Args { dim, ops, layouts, shifts })
    }
}

fn parse_dim(meta: &ParseNestedMeta) -> Result<u32> {
    let expr: Expr = meta.value()?.parse()?;
    let hint = "`dim` must be an integer literal in 1..=16777216, e.g. `dim = 10000`";
    let Expr::Lit(ExprLit { lit: Lit::Int(lit), .. }) = &expr else {
        return Err(Error::new_spanned(expr, hint));
    };
    if !lit.suffix().is_empty() {
        return Err(Error::new(
            lit.span(),
            format!("{hint} (without the `{}` suffix)", lit.suffix()),
        ));
    }
    let dim: u64 = lit.base10_parse().map_err(|_| Error::new(lit.span(), hint))?;
    if dim == 0 {
        return Err(Error::new(
            lit.span(),
            "`dim = 0` has no trits: the dimension must be at least 1",
        ));
    }
    if dim > u64::from(MAX_DIM) {
        return Err(Error::new(
            lit.span(),
            format!("`dim = {dim}` is above the largest dimension, {MAX_DIM} (2^24)"),
        ));
    }
    Ok(dim as u32)
}

fn parse_ops(meta: &ParseNestedMeta) -> Result<Vec<Op>> {
    let span = meta.path.span();
    let content = parenthesized(
        meta,
        &format!("write the ops as a list, e.g. `ops(dot, bind)`; the ops are {}", op_names()),
    )?;
    if content.is_empty() {
        return Err(Error::new(
            span,
            format!(
                "`ops()` is empty: name at least one of {} (or omit `ops` for all)",
                op_names()
            ),
        ));
    }
    let mut ops = Vec::new();
    for name in Punctuated::<Ident, Token![,]>::parse_terminated(&content)? {
        let Some(op) = op_named(&name.to_string()) else {
            return Err(Error::new(
                name.span(),
                format!("unknown op `{name}`: the ops are {}", op_names()),
            ));
        };
        if ops.contains(&op) {
            return Err(Error::new(
                name.span(),
                format!("op `{name}` is listed twice: list each op once"),
            ));
        }
        ops.push(op);
    }
    ops.sort();
    Ok(ops)
}

/// The parenthesized list after a key, or an error saying how to write it.
fn parenthesized<'a>(meta: &ParseNestedMeta<'a>, hint: &str) -> Result<ParseBuffer<'a>> {
    if !meta.input.peek(syn::token::Paren) {
        return Err(Error::new(meta.path.span(), hint));
    }
    let content;
    syn::parenthesized!(content in meta.input);
    Ok(content)
}

fn parse_layout(meta: &ParseNestedMeta) -> Result<Layout> {
    let expr: Expr = meta.value()?.parse()?;
    let hint = "write `layout = dense` or `layout = bits` (omit `layout` for both)";
    let name = match &expr {
        Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
        _ => None,
    };
    match name.as_deref() {
        Some("dense") => Ok(Layout::Dense),
        Some("bits") => Ok(Layout::Bits),
        Some(other) => Err(Error::new_spanned(&expr, format!("unknown layout `{other}`: {hint}"))),
        None => Err(Error::new_spanned(expr, hint)),
    }
}

fn parse_shifts(meta: &ParseNestedMeta) -> Result<Vec<i64>> {
    let hint = "permute shifts must be integer literals, e.g. `permute(1, 3, -1)`";
    let content = parenthesized(meta, hint)?;
    let list = Punctuated::<Expr, Token![,]>::parse_terminated(&content)?;
    if list.is_empty() {
        return Err(Error::new(meta.path.span(), format!("`permute()` is empty: {hint}")));
    }
    list.iter()
        .map(|expr| {
            let (negative, lit) = match expr {
                Expr::Lit(ExprLit { lit: Lit::Int(lit), .. }) => (false, lit),
                Expr::Unary(ExprUnary { op: UnOp::Neg(_), expr: inner, .. }) => match &**inner {
                    Expr::Lit(ExprLit { lit: Lit::Int(lit), .. }) => (true, lit),
                    _ => return Err(Error::new_spanned(expr, hint)),
                },
                _ => return Err(Error::new_spanned(expr, hint)),
            };
            let value = shift_value(lit).ok_or_else(|| Error::new_spanned(expr, hint))?;
            Ok(if negative { -value } else { value })
        })
        .collect()
}

/// An unsuffixed integer literal that fits an i64 shift.
fn shift_value(lit: &LitInt) -> Option<i64> {
    if !lit.suffix().is_empty() {
        return None;
    }
    lit.base10_parse::<i64>().ok()
}
