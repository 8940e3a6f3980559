//! `text-stats`: counts a text's words and vowels. Its other functions misbehave on purpose, for
//! the tests of the sandbox: `spin` never returns, `hog` takes memory until it has no more,
//! `boom` traps, `fetch` makes an HTTP request, `flood` outputs more than its memory holds,
//! `chatty` logs a megabyte line forever (host work a few instructions ask for), and `refuse`
//! fails with a message of its own.

use extism_pdk::*;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Input {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Stats {
    words: usize,
    vowels: usize,
    longest: String,
    mean_word_length: f64,
    greeting: Option<String>,
    /// Calls this instance has answered: always 1, each call having an instance of its own.
    calls: u64,
}

#[plugin_fn]
pub fn run(Json(input): Json<Input>) -> FnResult<Json<Stats>> {
    let words: Vec<&str> = input.text.split_whitespace().collect();
    let vowels = input.text.chars().filter(|c| "aeiouAEIOU".contains(*c)).count();
    let longest = words.iter().copied().max_by_key(|w| w.len()).unwrap_or("").to_owned();
    let letters: usize = words.iter().map(|w| w.chars().count()).sum();
    let mean_word_length = if words.is_empty() { 0.0 } else { letters as f64 / words.len() as f64 };
    let calls = var::get::<i64>("calls")?.unwrap_or(0) + 1;
    var::set("calls", calls)?;
    info!("counted {} words", words.len());
    Ok(Json(Stats {
        words: words.len(),
        vowels,
        longest,
        mean_word_length,
        greeting: config::get("greeting")?,
        calls: calls as u64,
    }))
}

#[plugin_fn]
pub fn refuse(_: String) -> FnResult<String> {
    Err(WithReturnCode::new(Error::msg("no text to count"), 1))
}

#[plugin_fn]
pub fn spin(_: String) -> FnResult<String> {
    let mut n: u64 = 0;
    loop {
        n = std::hint::black_box(n.wrapping_add(1));
    }
}

#[plugin_fn]
pub fn hog(_: String) -> FnResult<String> {
    let mut kept: Vec<Vec<u8>> = Vec::new();
    loop {
        kept.push(vec![1u8; 1 << 20]);
        std::hint::black_box(&kept);
    }
}

#[plugin_fn]
pub fn boom(_: String) -> FnResult<String> {
    std::process::abort()
}

#[plugin_fn]
pub fn fetch(_: String) -> FnResult<String> {
    let request = HttpRequest::new("https://example.com/");
    let response = http::request::<()>(&request, None)?;
    Ok(String::from_utf8_lossy(&response.body()).into_owned())
}

#[plugin_fn]
pub fn chatty(_: String) -> FnResult<String> {
    let line = "x".repeat(1 << 20);
    loop {
        info!("{}", line);
    }
}

#[plugin_fn]
pub fn flood(_: String) -> FnResult<String> {
    Ok("x".repeat(200 << 20))
}
