//! "Did you mean ...?": the known name nearest a misspelt one.

/// The candidate nearest `given`, when one is near enough to be what was meant: the same name
/// in another case, an abbreviation (`dir` for `directory`), or a few letters apart
/// (insertions, deletions, substitutions and swaps of neighbours, at most a third of the name).
pub fn nearest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = given.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let Some(score) = closeness(&wanted, &candidate.to_lowercase()) else { continue };
        if best.is_none_or(|(b, _)| score < b) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, name)| name)
}

/// The candidate `given` is one edit from (an insertion, a deletion, a substitution or a swap of
/// neighbours), or equal to in another case: the near-misses that are surely a misspelling, where
/// [`nearest`]'s looser rule (abbreviations, a third of the letters) would also take names that
/// were meant to be new ones.
pub fn one_edit_from<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wanted = given.to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| (distance(&wanted, &candidate.to_lowercase()), candidate))
        .filter(|(distance, _)| *distance <= 1)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// How near lower-cased `candidate` is to lower-cased `wanted` (0: the same; lower is nearer),
/// or `None` when it is too far to be what was meant. An abbreviation counts from three letters
/// (characters, not bytes: `éa` is two).
pub fn closeness(wanted: &str, candidate: &str) -> Option<usize> {
    if candidate == wanted {
        Some(0)
    } else if wanted.chars().nth(2).is_some()
        && (candidate.starts_with(wanted) || wanted.starts_with(candidate))
    {
        Some(1)
    } else {
        let distance = distance(wanted, candidate);
        let allowed = (wanted.chars().count().min(candidate.chars().count()) / 3).max(1);
        (distance <= allowed).then_some(distance + 1)
    }
}

/// Edits from `a` to `b`: insertions, deletions, substitutions, and swaps of two neighbouring
/// letters (the optimal string alignment distance).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Names are short: three rows of the table are enough.
    let mut before = vec![0usize; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (previous[j] + 1).min(current[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            current[j] = d;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::nearest;

    const CONFIG: &[&str] = &["concurrency", "history", "timeout", "storage", "workingDirectory"];

    #[test]
    fn misspellings_find_the_name_meant() {
        assert_eq!(nearest("concurency", CONFIG.iter().copied()), Some("concurrency"));
        assert_eq!(nearest("histroy", CONFIG.iter().copied()), Some("history"));
        assert_eq!(nearest("timout", CONFIG.iter().copied()), Some("timeout"));
        assert_eq!(nearest("WorkingDirectory", CONFIG.iter().copied()), Some("workingDirectory"));
        assert_eq!(nearest("workingDir", CONFIG.iter().copied()), Some("workingDirectory"));
        assert_eq!(nearest("dir", ["type", "directory"]), Some("directory"));
        assert_eq!(nearest("dta", ["data", "input"]), Some("data"));
        assert_eq!(nearest("operaton", ["operation", "transformFunction"]), Some("operation"));
        assert_eq!(nearest("executionID", ["executionId", "variables"]), Some("executionId"));
    }

    #[test]
    fn names_far_from_every_candidate_find_none() {
        assert_eq!(nearest("logLevel", CONFIG.iter().copied()), None);
        assert_eq!(nearest("x", CONFIG.iter().copied()), None);
        assert_eq!(nearest("", CONFIG.iter().copied()), None);
        assert_eq!(nearest("zzzzzzzz", CONFIG.iter().copied()), None);
    }

    /// The cases the npm package's own did-you-mean is held to as well (its `suggest.test.ts`).
    #[test]
    fn the_shared_cases_find_the_name_meant() {
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/did-you-mean.json")).unwrap();
        let cases = file["cases"].as_array().unwrap();
        assert!(cases.len() >= 20);
        for case in cases {
            let given = case["given"].as_str().unwrap();
            let known: Vec<&str> =
                case["known"].as_array().unwrap().iter().filter_map(|k| k.as_str()).collect();
            let meant = case["meant"].as_str();
            assert_eq!(nearest(given, known.iter().copied()), meant, "{given:?} among {known:?}");
        }
    }

    #[test]
    fn the_nearest_of_several_wins() {
        assert_eq!(nearest("tme", ["time", "type"]), Some("time"));
        assert_eq!(nearest("cach", ["cache", "catch"]), Some("cache"));
    }
}
