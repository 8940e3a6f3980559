//! The declared methods as a binding's class methods.

/// Emits, for a binding's conductor class, every method [`session_methods!`] declares under
/// `forwarded`, each in an `impl` block with the target's attribute.
///
/// A macro rather than a trait or a shared module: `#[napi]` and `#[wasm_bindgen]` only export
/// methods they see written out in the `impl` block they are attached to, so the whole block has
/// to be emitted, once per target, with that target's attribute. The class needs a field
/// `session: Arc<Session>` and a method `fn enter(&self) -> impl Sized`; the binding's module
/// defines the type `Buffers` and `fn from_buffers(Buffers) -> Vec<Arc<[u8]>>`.
///
/// ```text
/// atomiton_core::session_forwarders! {
///     attribute: napi;                      // or wasm_bindgen
///     class: NativeConductor;
///     sync: [catch_unwind];                 // more attribute arguments on synchronous methods
///     promises: async fn -> String;         // or `fn -> Promise = wrap`, see below
/// }
/// ```
///
/// `promises` says how a `promise` method returns its Promise: as an `async fn` (napi), or as a
/// plain method returning what `wrap(future)` makes of the session's `BoxFuture<'static,
/// String>` (wasm: `future_to_promise`, which keeps nothing borrowed while the Promise is
/// pending, where a wasm-bindgen `async fn(&self)` would hold the object borrowed until it
/// settles).
///
/// [`session_methods!`]: crate::session_methods
#[macro_export]
macro_rules! session_forwarders {
    (attribute: $attr:ident; class: $class:ident; sync: [$($sync:ident),* $(,)?]; promises: async fn -> $ret:ident;) => {
        $crate::session_methods!(__session_forwarders { $attr $class [$($sync),*] { async $ret } });
    };
    (attribute: $attr:ident; class: $class:ident; sync: [$($sync:ident),* $(,)?]; promises: fn -> $ret:ident = $wrap:ident;) => {
        $crate::session_methods!(__session_forwarders { $attr $class [$($sync),*] { wrap $ret $wrap } });
    };
}

/// The expander [`session_forwarders!`] hands the declaration to.
#[doc(hidden)]
#[macro_export]
macro_rules! __session_forwarders {
    (
        { $attr:ident $class:ident $sync:tt $promises:tt }
        forwarded: [$(
            $(#[doc = $doc:literal])*
            [$kind:ident $gate:ident $js:literal $($named:tt)*] fn $name:ident ($($params:tt)*) $(-> $ret:ty)? $body:block
        )*]
        bespoke: [$($bespoke:tt)*]
    ) => {
        $(
            $crate::__session_gate! { $gate
                $crate::__session_method! { $attr $class $sync $promises $kind $js [$($doc)*] $name ($($params)*) [$($ret)?] $body }
            }
        )*
    };
}

/// One declared method as a class method of the binding.
#[doc(hidden)]
#[macro_export]
macro_rules! __session_method {
    ($attr:ident $class:ident [$($sync:ident),*] { async $ret:ident } promise $js:literal [$($doc:literal)*] $name:ident ($($params:tt)*) [] $body:block) => {
        #[$attr]
        impl $class {
            $(#[doc = $doc])*
            #[$attr(js_name = $js)]
            pub async fn $name($($params)*) -> $ret {
                $body.await
            }
        }
    };
    ($attr:ident $class:ident [$($sync:ident),*] { wrap $ret:ident $wrap:ident } promise $js:literal [$($doc:literal)*] $name:ident ($($params:tt)*) [] $body:block) => {
        #[$attr]
        impl $class {
            $(#[doc = $doc])*
            #[$attr(js_name = $js)]
            pub fn $name($($params)*) -> $ret {
                $wrap($body)
            }
        }
    };
    ($attr:ident $class:ident [$($sync:ident),*] $promises:tt $kind:ident $js:literal [$($doc:literal)*] $name:ident ($($params:tt)*) [$($ret:ty)?] $body:block) => {
        #[$attr]
        impl $class {
            $(#[doc = $doc])*
            #[$attr(js_name = $js $(, $sync)*)]
            pub fn $name($($params)*) $(-> $ret)? $body
        }
    };
}

/// The items after `$gate`, when this crate has the feature the gate names.
#[doc(hidden)]
#[macro_export]
macro_rules! __session_gate {
    (always $($item:tt)*) => { $($item)* };
    (history $($item:tt)*) => { $crate::__session_gate_history! { $($item)* } };
}
