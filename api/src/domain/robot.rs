//! Group robots (群机器人) of WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书): the message each
//! platform takes, the size it allows, how it checks a sender (DingTalk's and Feishu's 加签),
//! and how its answer says it refused. A robot posts into a chat group that the whole unit
//! reads, so it gets the unit's digest once a week rather than one per person.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// What a webhook is: an office system's endpoint, or a group robot of a platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The event as Rectify's JSON, signed with `X-Rectify-Signature`.
    Generic,
    Wecom,
    Dingtalk,
    Feishu,
}

/// The events a robot can post: those written for people to read in a group.
pub const ROBOT_EVENTS: [&str; 2] = ["digest.weekly", "problem.overdue"];

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Generic, Kind::Wecom, Kind::Dingtalk, Kind::Feishu];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Generic => "generic",
            Kind::Wecom => "wecom",
            Kind::Dingtalk => "dingtalk",
            Kind::Feishu => "feishu",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn is_robot(self) -> bool {
        self != Kind::Generic
    }

    /// The largest message the platform takes, in UTF-8 bytes of its text: WeCom's markdown
    /// content 4,096; DingTalk's 20,000; Feishu's request 20 KB, of which the text keeps most.
    fn text_limit(self) -> usize {
        match self {
            Kind::Wecom => 4096,
            Kind::Dingtalk => 20_000,
            Kind::Feishu => 18_000,
            Kind::Generic => usize::MAX,
        }
    }

    /// The platform's message for a title and a Markdown text, cut to the platform's size.
    pub fn message(self, title: &str, markdown: &str) -> Value {
        match self {
            Kind::Wecom => json!({
                "msgtype": "markdown",
                "markdown": {"content": fit(markdown, self.text_limit())},
            }),
            Kind::Dingtalk => json!({
                "msgtype": "markdown",
                "markdown": {"title": title, "text": fit(markdown, self.text_limit())},
            }),
            // Feishu's robot text is plain: the Markdown marks are taken off.
            Kind::Feishu => json!({
                "msg_type": "text",
                "content": {"text": fit(&plain(markdown), self.text_limit())},
            }),
            Kind::Generic => json!({"title": title, "text": markdown}),
        }
    }
}

/// `text` whole if it fits in `limit` bytes; otherwise its first lines that fit with a last
/// line saying how many list items were left out (a robot's message is read on a phone; the
/// full digest is in Rectify and in each person's own).
pub fn fit(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let lines: Vec<&str> = text.lines().collect();
    let tail = |left: usize| format!("\n……另有 {left} 项未列出，详见整改台账。");
    let mut kept = String::new();
    for (i, line) in lines.iter().enumerate() {
        let left = lines[i..].iter().filter(|l| l.starts_with("- ")).count();
        if kept.len() + line.len() + 1 + tail(left).len() > limit {
            kept.push_str(&tail(left));
            return kept;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    kept
}

/// Markdown as plain text: headings' and emphasis marks off, quotes as text.
fn plain(markdown: &str) -> String {
    markdown
        .lines()
        .map(|line| {
            line.trim_start_matches('#')
                .trim_start_matches('>')
                .trim_start()
                .replace("**", "")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn hmac_base64(key: &[u8], message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any size");
    mac.update(message);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// DingTalk's 加签: Base64 of HMAC-SHA256 keyed with the secret over
/// `"<timestamp in ms>\n<secret>"`, sent as the `timestamp` and `sign` query parameters.
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    hmac_base64(
        secret.as_bytes(),
        format!("{timestamp_ms}\n{secret}").as_bytes(),
    )
}

/// Feishu's signature: Base64 of HMAC-SHA256 keyed with `"<timestamp in s>\n<secret>"` over
/// nothing, sent in the body as `timestamp` and `sign`.
pub fn feishu_sign(secret: &str, timestamp_s: i64) -> String {
    hmac_base64(format!("{timestamp_s}\n{secret}").as_bytes(), b"")
}

/// Where and what to send for one attempt: a robot with a secret signs each attempt afresh,
/// since the platforms refuse a timestamp more than an hour off.
pub fn signed(kind: Kind, url: &str, body: &str, secret: &str, now_ms: i64) -> (String, String) {
    if secret.is_empty() {
        return (url.to_owned(), body.to_owned());
    }
    match kind {
        Kind::Dingtalk => {
            let sign = dingtalk_sign(secret, now_ms);
            let signed_url = match url::Url::parse(url) {
                Ok(mut parsed) => {
                    parsed
                        .query_pairs_mut()
                        .append_pair("timestamp", &now_ms.to_string())
                        .append_pair("sign", &sign);
                    parsed.to_string()
                }
                Err(_) => url.to_owned(),
            };
            (signed_url, body.to_owned())
        }
        Kind::Feishu => {
            let seconds = now_ms.div_euclid(1000);
            let mut message: Value = serde_json::from_str(body).unwrap_or_else(|_| json!({}));
            if let Some(object) = message.as_object_mut() {
                object.insert("timestamp".into(), json!(seconds.to_string()));
                object.insert("sign".into(), json!(feishu_sign(secret, seconds)));
            }
            (url.to_owned(), message.to_string())
        }
        Kind::Wecom | Kind::Generic => (url.to_owned(), body.to_owned()),
    }
}

/// A refusal written in a successful answer: WeCom and DingTalk answer HTTP 200 with
/// `{"errcode": 93000, "errmsg": "…"}`, Feishu with `{"code": 19021, "msg": "…"}` (older
/// robots `{"StatusCode": …}`), when they did not post the message. Any JSON answer with one
/// of these non-zero is taken as such; anything else is a delivery.
pub fn refused_in_answer(body: &str) -> Option<String> {
    let answer: Value = serde_json::from_str(body).ok()?;
    let (code, message) = [
        ("errcode", "errmsg"),
        ("code", "msg"),
        ("StatusCode", "StatusMessage"),
    ]
    .into_iter()
    .find_map(|(code, message)| answer.get(code).map(|c| (c, answer.get(message))))?;
    let refused = match code {
        Value::Number(n) => n.as_i64() != Some(0),
        Value::String(s) => s.trim() != "0",
        _ => false,
    };
    refused.then(|| {
        let message: String = message
            .and_then(Value::as_str)
            .unwrap_or("")
            .chars()
            .take(200)
            .collect();
        format!("the receiver answered 200 but refused the message: errcode {code} {message}")
            .trim_end()
            .to_owned()
    })
}

/// A problem gone overdue, as a line a group reads.
pub fn overdue_text(
    key: &str,
    title: &str,
    unit: &str,
    owner: Option<&str>,
    deadline: &str,
) -> String {
    let owner = owner.map(|o| format!("，责任人{o}")).unwrap_or_default();
    format!("**整改逾期提醒**\n- {key} {title}（{unit}{owner}，整改时限{deadline}）已逾期，请抓紧整改。")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_as_written() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::parse("slack"), None);
        assert!(!Kind::Generic.is_robot() && Kind::Dingtalk.is_robot());
    }

    #[test]
    fn each_platform_gets_its_own_message_shape() {
        let wecom = Kind::Wecom.message("周报", "### 周报\n- 一");
        assert_eq!(wecom["msgtype"], "markdown");
        assert_eq!(wecom["markdown"]["content"], "### 周报\n- 一");
        let dingtalk = Kind::Dingtalk.message("周报", "### 周报");
        assert_eq!(dingtalk["markdown"]["title"], "周报");
        assert_eq!(dingtalk["markdown"]["text"], "### 周报");
        let feishu = Kind::Feishu.message("周报", "### 周报\n> 完成率\n**逾期**");
        assert_eq!(feishu["msg_type"], "text");
        assert_eq!(feishu["content"]["text"], "周报\n完成率\n逾期");
    }

    #[test]
    fn a_long_message_is_cut_at_a_line_and_says_how_many_items_were_left_out() {
        let mut text = String::from("### 整改周报\n");
        for i in 0..400 {
            text.push_str(&format!(
                "- DFSQ-{i} 对物业管理问题跟踪督促不够（东风社区党委）\n"
            ));
        }
        let cut = fit(&text, 4096);
        assert!(cut.len() <= 4096, "{}", cut.len());
        assert!(cut.starts_with("### 整改周报\n- DFSQ-0 "));
        let shown = cut.lines().filter(|l| l.starts_with("- ")).count();
        assert!(cut.ends_with(&format!("另有 {} 项未列出，详见整改台账。", 400 - shown)));
        assert_eq!(fit("短", 4096), "短");
    }

    #[test]
    fn dingtalk_signs_the_timestamp_and_secret_as_its_documentation_shows() {
        // Computed independently: python3 -c 'import hmac,hashlib,base64;
        // print(base64.b64encode(hmac.new(b"SECabc", b"1700000000000\nSECabc",
        // hashlib.sha256).digest()).decode())'
        assert_eq!(
            dingtalk_sign("SECabc", 1_700_000_000_000),
            "jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM="
        );
        let (url, body) = signed(
            Kind::Dingtalk,
            "https://oapi.dingtalk.com/robot/send?access_token=t",
            "{}",
            "SECabc",
            1_700_000_000_000,
        );
        assert_eq!(body, "{}");
        assert_eq!(
            url,
            "https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000\
             &sign=jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D"
        );
    }

    #[test]
    fn feishu_signs_in_the_body_in_seconds() {
        let (url, body) = signed(
            Kind::Feishu,
            "https://open.feishu.cn/open-apis/bot/v2/hook/x",
            r#"{"msg_type":"text"}"#,
            "s3cret",
            1_700_000_000_999,
        );
        assert_eq!(url, "https://open.feishu.cn/open-apis/bot/v2/hook/x");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["timestamp"], "1700000000");
        assert_eq!(body["sign"], feishu_sign("s3cret", 1_700_000_000));
        assert_eq!(body["msg_type"], "text");
    }

    #[test]
    fn without_a_secret_nothing_is_signed() {
        let (url, body) = signed(Kind::Dingtalk, "https://x/y?a=1", "{}", "", 1);
        assert_eq!((url.as_str(), body.as_str()), ("https://x/y?a=1", "{}"));
    }

    #[test]
    fn a_robot_refusal_in_a_200_is_read_for_each_platform() {
        assert_eq!(
            refused_in_answer(r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#).as_deref(),
            Some("the receiver answered 200 but refused the message: errcode 93000 invalid webhook url")
        );
        assert!(refused_in_answer(r#"{"errcode":"310000","errmsg":"sign not match"}"#).is_some());
        assert!(
            refused_in_answer(r#"{"code":19021,"msg":"sign match fail"}"#)
                .unwrap()
                .contains("sign match fail")
        );
        assert!(refused_in_answer(r#"{"StatusCode":1,"StatusMessage":"x"}"#).is_some());
        assert_eq!(refused_in_answer(r#"{"errcode":0,"errmsg":"ok"}"#), None);
        assert_eq!(refused_in_answer(r#"{"code":0,"msg":"success"}"#), None);
        assert_eq!(refused_in_answer(r#"{"received":true}"#), None);
        assert_eq!(refused_in_answer("ok"), None);
        assert_eq!(refused_in_answer(""), None);
    }
}
