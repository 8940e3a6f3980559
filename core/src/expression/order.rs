//! V8's property enumeration order: keys that are array indices ("0", "17", up to 2^32 - 2)
//! come first in ascending numeric order, then the other keys in insertion order. Objects
//! keep insertion order internally; `Object.keys` / `values` / `entries`, `JSON.stringify` and
//! the materialised result enumerate in this order.

/// Whether `key` is an array index: a canonical decimal below 2^32 - 1.
fn array_index(key: &str) -> Option<u32> {
    let bytes = key.as_bytes();
    match bytes {
        [] => None,
        [b'0'] => Some(0),
        [b'1'..=b'9', rest @ ..] if rest.len() < 10 && rest.iter().all(u8::is_ascii_digit) => {
            key.parse::<u32>().ok().filter(|n| *n < u32::MAX)
        }
        _ => None,
    }
}

/// The order to enumerate `keys` in, or `None` when insertion order already is V8's (no index
/// keys, the common case, which costs one scan and no allocation).
pub(super) fn enumeration_order<'k>(
    keys: impl Iterator<Item = &'k str> + Clone,
) -> Option<Vec<usize>> {
    let mut indices: Vec<(u32, usize)> = Vec::new();
    let mut in_order = true;
    let mut seen_other = false;
    for (position, key) in keys.clone().enumerate() {
        match array_index(key) {
            Some(n) => {
                if seen_other || indices.last().is_some_and(|(last, _)| *last > n) {
                    in_order = false;
                }
                indices.push((n, position));
            }
            None => seen_other = true,
        }
    }
    if in_order {
        return None;
    }
    indices.sort_unstable();
    let mut order: Vec<usize> = indices.iter().map(|(_, position)| *position).collect();
    order.extend(
        keys.enumerate()
            .filter(|(_, key)| array_index(key).is_none())
            .map(|(position, _)| position),
    );
    Some(order)
}

/// Reorders `items` (entries of one object) into V8's enumeration order of their keys.
pub(super) fn sort_for_enumeration<T>(items: &mut Vec<T>, key: impl Fn(&T) -> &str) {
    let Some(order) = enumeration_order(items.iter().map(&key)) else { return };
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| slots.get_mut(i).and_then(Option::take)));
}
