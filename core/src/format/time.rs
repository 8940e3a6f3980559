//! `Date.prototype.toISOString()` from epoch milliseconds, without a date library.

/// `2024-01-01T00:00:00.000Z` for `ms` milliseconds since the Unix epoch (proleptic Gregorian,
/// UTC). Out-of-range values are clamped to years 0..=9999.
pub fn iso_timestamp(ms: f64) -> String {
    let ms =
        if ms.is_finite() { ms.clamp(-62_167_219_200_000.0, 253_402_300_799_999.0) } else { 0.0 };
    let total_ms = ms.floor() as i64;
    let days = total_ms.div_euclid(86_400_000);
    let ms_of_day = total_ms.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second, milli) =
        (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60, ms_of_day / 1000 % 60, ms_of_day % 1000);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{milli:03}Z")
}

/// `String(new Date(ms))` as V8 prints it when the time zone is UTC:
/// `Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)`; `Invalid Date` for NaN.
pub fn utc_date_string(ms: f64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    // Dates are defined within ±8.64e15 ms of the epoch.
    if !ms.is_finite() || ms.abs() > 8.64e15 {
        return "Invalid Date".to_owned();
    }
    let total_ms = ms.floor() as i64;
    let days = total_ms.div_euclid(86_400_000);
    let seconds_of_day = total_ms.rem_euclid(86_400_000) / 1000;
    let (year, month, day) = civil_from_days(days);
    let weekday = DAYS[days.rem_euclid(7) as usize];
    let month_name = MONTHS[(month as usize).saturating_sub(1).min(11)];
    let year = if year < 0 { format!("-{:06}", -year) } else { format!("{year:04}") };
    format!(
        "{weekday} {month_name} {day:02} {year} {:02}:{:02}:{:02} GMT+0000 (Coordinated Universal Time)",
        seconds_of_day / 3600,
        seconds_of_day / 60 % 60,
        seconds_of_day % 60
    )
}

/// Days since 1970-01-01 → (year, month, day). Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `yyyy-mm-dd` of a day count since 1970-01-01 (spreadsheet dates).
pub fn iso_date_from_days(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_v8_in_utc() {
        assert_eq!(
            utc_date_string(0.0),
            "Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)"
        );
        assert_eq!(
            utc_date_string(1_704_067_200_000.0 + 3_723_000.0),
            "Mon Jan 01 2024 01:02:03 GMT+0000 (Coordinated Universal Time)"
        );
        assert_eq!(
            utc_date_string(-86_400_000.0),
            "Wed Dec 31 1969 00:00:00 GMT+0000 (Coordinated Universal Time)"
        );
        assert_eq!(utc_date_string(f64::NAN), "Invalid Date");
    }

    #[test]
    fn formats_like_to_iso_string() {
        assert_eq!(iso_timestamp(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_timestamp(1_704_067_200_000.0), "2024-01-01T00:00:00.000Z");
        assert_eq!(iso_timestamp(951_782_400_123.0), "2000-02-29T00:00:00.123Z");
        assert_eq!(iso_timestamp(1_234_567_890_987.0), "2009-02-13T23:31:30.987Z");
        assert_eq!(iso_timestamp(-1.0), "1969-12-31T23:59:59.999Z");
        assert_eq!(iso_date_from_days(19_723), "2024-01-01");
    }
}
