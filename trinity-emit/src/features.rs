//! The CPU feature sets of both encoders: one small bitset type per ISA, made by one macro so
//! that both have the same methods, names and printing.

/// Define a feature set type: `BASE` (the empty set), one constant per feature with its name,
/// `ALL`, set operations, lookup by name and `Display` (`base`, or names joined by `+`).
macro_rules! feature_set {
    (
        $(#[$meta:meta])*
        $ty:ident($repr:ty), base: $base_doc:literal;
        $( $(#[$flag_meta:meta])* $flag:ident = $bit:literal, $name:literal; )*
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $ty($repr);

        impl $ty {
            #[doc = $base_doc]
            pub const BASE: $ty = $ty(0);
            $( $(#[$flag_meta])* pub const $flag: $ty = $ty(1 << $bit); )*
            /// Every feature the table knows.
            pub const ALL: $ty = $ty(0 $(| 1 << $bit)*);
            /// Each feature with its name, in table order.
            pub const NAMED: &'static [($ty, &'static str)] = &[$(($ty::$flag, $name)),*];

            /// Both sets.
            pub const fn with(self, other: $ty) -> $ty {
                $ty(self.0 | other.0)
            }

            /// Whether every feature of `other` is in this set.
            pub const fn contains(self, other: $ty) -> bool {
                self.0 & other.0 == other.0
            }

            /// The features of `self` that `allowed` lacks.
            pub const fn beyond(self, allowed: $ty) -> $ty {
                $ty(self.0 & !allowed.0)
            }

            /// The single features of the set, in table order.
            pub fn iter(self) -> impl Iterator<Item = $ty> {
                $ty::NAMED.iter().map(|(f, _)| *f).filter(move |f| self.contains(*f))
            }

            /// The feature named `name` (as [`NAMED`](Self::NAMED) and `Display` write it).
            pub fn from_name(name: &str) -> Option<$ty> {
                $ty::NAMED.iter().find(|(_, n)| *n == name).map(|(f, _)| *f)
            }

            /// `Ok` when `allowed` (`None`: every feature) has all of this set, else
            /// [`EmitError::FeatureNotAllowed`](crate::EmitError::FeatureNotAllowed) naming
            /// `mnemonic` and the features it lacks.
            pub(crate) fn allowed_in(
                self,
                allowed: Option<$ty>,
                mnemonic: &'static str,
            ) -> Result<(), crate::EmitError> {
                let beyond = self.beyond(allowed.unwrap_or($ty::ALL));
                if beyond == $ty::BASE {
                    Ok(())
                } else {
                    Err(crate::EmitError::FeatureNotAllowed { mnemonic, feature: beyond.to_string() })
                }
            }
        }

        impl std::fmt::Display for $ty {
            /// `base`, or the features joined by `+`.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let names: Vec<&str> =
                    $ty::NAMED.iter().filter(|(s, _)| self.contains(*s)).map(|(_, n)| *n).collect();
                if names.is_empty() {
                    f.write_str("base")
                } else {
                    f.write_str(&names.join("+"))
                }
            }
        }
    };
}

pub(crate) use feature_set;
