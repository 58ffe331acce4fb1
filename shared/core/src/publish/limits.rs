//! The real limits of Amazon SQS that an outgoing message must meet, in one place, with
//! their source. moto does not enforce most of them, so the dispatcher meets them by
//! construction and the tests check against these constants, not against moto.
//!
//! Sources (AWS documentation, read 2026-11):
//! - *Amazon SQS message quotas*
//!   (<https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html>):
//!   message size, batch size, message attributes, the characters a body may hold.
//! - *SendMessageBatch* and *SendMessageBatchRequestEntry* API reference
//!   (<https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html>):
//!   "the maximum allowed individual message size and the maximum total payload size (the
//!   sum of the individual lengths of all of the batched messages) are both 256 KiB
//!   (262,144 bytes)"; `MessageGroupId` and `MessageDeduplicationId`: "up to 128
//!   characters", alphanumeric characters and punctuation ``!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~``.
//!
//! SQS raised the ceiling of `MaximumMessageSize` to 1 MiB in 2025, but a queue's own
//! attribute (which may be 256 KiB, the classic default) is what a send is held to, and the
//! Lambda/SNS paths of consumers keep 256 KiB: this crate uses the classic 256 KiB.

/// Largest message, body plus message attributes (names, types and values), in bytes.
pub const MAX_MESSAGE_BYTES: usize = 262_144;
/// Largest `SendMessageBatch` payload: the sum of its messages' sizes, in bytes.
pub const MAX_BATCH_BYTES: usize = 262_144;
/// Most entries in one `SendMessageBatch`.
pub const MAX_BATCH_ENTRIES: usize = 10;
/// Most message attributes on one message.
pub const MAX_MESSAGE_ATTRIBUTES: usize = 10;
/// Longest `MessageGroupId` / `MessageDeduplicationId`, in characters.
pub const MAX_FIFO_ID_CHARS: usize = 128;
/// Longest message attribute name.
pub const MAX_ATTRIBUTE_NAME_CHARS: usize = 256;

/// What this crate keeps free under [`MAX_MESSAGE_BYTES`] for SQS's own accounting of a
/// message (entry ids, the batch request's framing): a message body is sent inline only up
/// to `MAX_MESSAGE_BYTES - INLINE_MARGIN_BYTES` with its attributes.
pub const INLINE_MARGIN_BYTES: usize = 1024;

/// A character SQS accepts in a message body or a string attribute value:
/// `#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF`. Anything else
/// (other control characters, U+FFFE, U+FFFF) makes the send fail with
/// `InvalidMessageContents`.
pub fn body_char_allowed(c: char) -> bool {
    matches!(c as u32,
        0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// A character SQS accepts in a `MessageGroupId` or `MessageDeduplicationId`: ASCII
/// letters, digits and punctuation.
pub fn fifo_id_char_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || c.is_ascii_punctuation()
}

/// Whether `id` is a valid `MessageGroupId` / `MessageDeduplicationId`.
pub fn fifo_id_valid(id: &str) -> bool {
    !id.is_empty()
        && id.chars().count() <= MAX_FIFO_ID_CHARS
        && id.chars().all(fifo_id_char_allowed)
}

/// Whether `name` is a valid message attribute name: 1–256 of `A-Z a-z 0-9 _ - .`, not
/// starting with `AWS.`/`Amazon.`, no leading/trailing/double period.
pub fn attribute_name_valid(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_ATTRIBUTE_NAME_CHARS
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !name.starts_with('.')
        && !name.ends_with('.')
        && !name.contains("..")
        && !name.to_ascii_lowercase().starts_with("aws.")
        && !name.to_ascii_lowercase().starts_with("amazon.")
}

/// The FIFO message group of an ordering key: the key itself when it is a valid group id,
/// else `<prefix>:sha256:<hex of the key>` (`loan:sha256:…`), which is always valid, the
/// same for the same key (so per-key order holds) and 64 + a few characters long.
pub fn group_id(ordering_key: &str) -> String {
    if fifo_id_valid(ordering_key) {
        return ordering_key.to_string();
    }
    let prefix: String = ordering_key
        .split(':')
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(16)
        .collect();
    let digest = crate::digest::sha256_hex(ordering_key.as_bytes());
    if prefix.is_empty() {
        format!("sha256:{digest}")
    } else {
        format!("{prefix}:sha256:{digest}")
    }
}

/// Why a message does not fit SQS, or `None` when it does.
pub fn message_problem(
    body: &str,
    attributes: &[(&str, &str)],
    fifo: Option<(&str, &str)>,
) -> Option<String> {
    let size = message_size(body, attributes);
    if size > MAX_MESSAGE_BYTES {
        return Some(format!("message is {size} bytes, over {MAX_MESSAGE_BYTES}"));
    }
    if attributes.len() > MAX_MESSAGE_ATTRIBUTES {
        return Some(format!(
            "{} message attributes, over {MAX_MESSAGE_ATTRIBUTES}",
            attributes.len()
        ));
    }
    if let Some(c) = body.chars().find(|&c| !body_char_allowed(c)) {
        return Some(format!("body holds U+{:04X}, which SQS refuses", c as u32));
    }
    for (name, value) in attributes {
        if !attribute_name_valid(name) {
            return Some(format!("attribute name {name:?} is invalid"));
        }
        if value.is_empty() || value.chars().any(|c| !body_char_allowed(c)) {
            return Some(format!("attribute {name} has an empty or invalid value"));
        }
    }
    if let Some((group, dedup)) = fifo {
        if !fifo_id_valid(group) {
            return Some(format!(
                "MessageGroupId of {} characters is invalid",
                group.chars().count()
            ));
        }
        if !fifo_id_valid(dedup) {
            return Some("MessageDeduplicationId is invalid".into());
        }
    }
    None
}

/// The size SQS counts for a message: the body plus each attribute's name, data type
/// (`String`) and value, in UTF-8 bytes.
pub fn message_size(body: &str, attributes: &[(&str, &str)]) -> usize {
    body.len()
        + attributes
            .iter()
            .map(|(n, v)| n.len() + "String".len() + v.len())
            .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_ordering_key_is_its_own_group_id() {
        assert_eq!(group_id("loan:LOAN-2024-000123"), "loan:LOAN-2024-000123");
    }

    #[test]
    fn a_long_or_non_ascii_ordering_key_becomes_a_stable_hashed_group_id() {
        let long = format!("loan:{}", "L".repeat(128));
        let g = group_id(&long);
        assert!(fifo_id_valid(&g), "{g}");
        assert!(g.starts_with("loan:sha256:"));
        assert_eq!(g, group_id(&long));
        assert_ne!(g, group_id(&format!("loan:{}", "M".repeat(128))));
        let unicode = group_id("consent:हैंडल with spaces");
        assert!(fifo_id_valid(&unicode) && unicode.starts_with("consent:sha256:"));
        assert!(fifo_id_valid(&group_id("")));
    }

    #[test]
    fn the_body_alphabet_is_the_one_sqs_documents() {
        for ok in [
            '\t',
            '\n',
            '\r',
            ' ',
            'a',
            'é',
            '\u{D7FF}',
            '\u{E000}',
            '\u{FFFD}',
            '\u{10000}',
            '😀',
        ] {
            assert!(body_char_allowed(ok), "{ok:?}");
        }
        for bad in ['\0', '\u{1}', '\u{1F}', '\u{FFFE}', '\u{FFFF}'] {
            assert!(!body_char_allowed(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_message_over_the_size_limit_is_named() {
        let body = "x".repeat(MAX_MESSAGE_BYTES);
        let p = message_problem(&body, &[("type", "T")], None).unwrap();
        assert!(p.contains("bytes"), "{p}");
        assert!(message_problem("{}", &[("type", "T")], Some(("g", "d"))).is_none());
        assert!(message_problem("{}", &[], Some((&"g".repeat(129), "d"))).is_some());
    }

    #[test]
    fn attribute_names_follow_the_documented_rules() {
        assert!(attribute_name_valid("orgId") && attribute_name_valid("payload-ref"));
        for bad in ["", ".a", "a.", "a..b", "AWS.x", "amazon.y", "sp ace"] {
            assert!(!attribute_name_valid(bad), "{bad}");
        }
    }
}
