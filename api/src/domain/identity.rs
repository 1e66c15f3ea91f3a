//! Rules for the names people and organizations are known by.

/// An organization code: the prefix of every problem key (`SQ01-12`), so short, upper-case
/// ASCII letters, digits, `_` and `-`, starting with a letter or digit. Returns it normalised.
pub fn normalize_org_code(raw: &str) -> Result<String, &'static str> {
    let code = raw.trim().to_ascii_uppercase();
    if code.is_empty() || code.len() > 32 {
        return Err("must be 1 to 32 characters");
    }
    let mut chars = code.chars();
    let first = chars.next().unwrap_or('-');
    if !first.is_ascii_alphanumeric() {
        return Err("must start with a letter or digit");
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return Err("may hold only letters A-Z, digits, '_' and '-'");
    }
    Ok(code)
}

/// A login name: 2 to 64 of ASCII letters, digits, `.`, `_`, `-`, `@`; kept lower-case so that
/// `Zhang.Wei` and `zhang.wei` are one account.
pub fn normalize_username(raw: &str) -> Result<String, &'static str> {
    let name = raw.trim().to_ascii_lowercase();
    if name.len() < 2 || name.len() > 64 {
        return Err("must be 2 to 64 characters");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return Err("may hold only letters, digits, '.', '_', '-' and '@'");
    }
    Ok(name)
}

/// An IANA time zone name such as `Asia/Shanghai`.
pub fn check_timezone(raw: &str) -> Result<(), &'static str> {
    raw.parse::<chrono_tz::Tz>()
        .map(|_| ())
        .map_err(|_| "must be an IANA time zone name such as Asia/Shanghai")
}

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

pub fn check_password(raw: &str) -> Result<(), &'static str> {
    let n = raw.chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Err("must be at least 8 characters");
    }
    if n > PASSWORD_MAX_CHARS {
        return Err("must be at most 128 characters");
    }
    if raw.trim().is_empty() {
        return Err("must not be only spaces");
    }
    Ok(())
}

/// A name shown to people (organization or user): trimmed, 1 to 200 characters.
pub fn normalize_display_name(raw: &str) -> Result<String, &'static str> {
    let name = raw.trim();
    match name.chars().count() {
        0 => Err("must not be empty"),
        1..=200 => Ok(name.to_owned()),
        _ => Err("must be at most 200 characters"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_codes_are_upper_cased_and_restricted() {
        assert_eq!(normalize_org_code(" sq01 ").unwrap(), "SQ01");
        assert_eq!(normalize_org_code("JD-DW_2").unwrap(), "JD-DW_2");
        for bad in ["", "-A", "社区", "A B", "A/B", &"X".repeat(33)] {
            assert!(normalize_org_code(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn usernames_are_lower_cased_and_restricted() {
        assert_eq!(normalize_username("Zhang.Wei").unwrap(), "zhang.wei");
        assert_eq!(normalize_username("li_na@sq01").unwrap(), "li_na@sq01");
        for bad in ["a", "张伟", "a b", "a/b", &"x".repeat(65)] {
            assert!(normalize_username(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn time_zones_must_be_iana_names() {
        assert!(check_timezone("Asia/Shanghai").is_ok());
        assert!(check_timezone("Asia/Urumqi").is_ok());
        assert!(check_timezone("UTC").is_ok());
        assert!(check_timezone("Beijing").is_err());
        assert!(check_timezone("+08:00").is_err());
    }

    #[test]
    fn passwords_need_eight_to_128_characters() {
        assert!(check_password("short").is_err());
        assert!(check_password("        ").is_err());
        assert!(check_password("整改台账整改台账").is_ok());
        assert!(check_password(&"a".repeat(129)).is_err());
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(
            normalize_display_name("  东风社区党委 ").unwrap(),
            "东风社区党委"
        );
        assert!(normalize_display_name("   ").is_err());
        assert!(normalize_display_name(&"名".repeat(201)).is_err());
    }
}
