//! Numbered steps that can be linked: every item of a numbered list in a body gets an id, so a
//! support answer can point at `…/401/#step-3`.
//!
//! The rule, made for articles whose resolution has several procedures under sub-headings:
//!
//! - A step is named by the number the reader sees: a list written `4.`, `5.` … has `step-4`,
//!   `step-5` ….
//! - The numbered lists under the first heading that has one (or before any heading) are *the*
//!   steps of the article: `#step-1`, `#step-2` …. A list interrupted by a paragraph or code
//!   block and continued under the same heading keeps counting there.
//! - A numbered list under any other heading is named after that heading:
//!   `#if-you-run-the-site-step-2`.
//! - A numbered list inside a step extends that step's id: `#step-3-1`. Numbered lists inside
//!   bullet items or footnotes get no ids.
//! - Ids share one namespace with the heading ids, so none repeats on a page (a clash gets the
//!   usual `-1` suffix).

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::{HeadingIds, StepList};

/// Hands out step ids while the events of one body pass through.
#[derive(Default)]
pub(super) struct StepIds {
    /// The open lists, innermost last: the prefix of their items' ids (`None`: no ids) and the
    /// number of the next item.
    lists: Vec<(Option<String>, u64)>,
    /// The open list items and footnotes, innermost last, with where their id is in `ids`.
    items: Vec<Option<Range<usize>>>,
    /// The id of the heading above, if any.
    section: Option<String>,
    /// The section whose lists are the article's plain `step-N`s, once one has a list.
    plain_section: Option<Option<String>>,
    /// Every id handed out, each followed by a line break, as a [`StepList`] keeps them: made
    /// right there, rather than a string for each then copied.
    ids: String,
}

impl StepIds {
    /// Notes the heading a following list sits under.
    pub(super) fn enter_section(&mut self, heading_id: &str) {
        // The string of the heading before is reused: a body has several headings.
        let section = self.section.get_or_insert_with(String::new);
        section.clear();
        section.push_str(heading_id);
    }

    /// Notes an event passing through; for the start of a numbered item, returns the item's
    /// id, for the renderer to write `<li id="…">` instead of the plain start.
    pub(super) fn numbered_item(&mut self, event: &Event, ids: &mut HeadingIds) -> Option<&str> {
        match event {
            Event::Start(Tag::List(start)) => {
                let prefix = start.and_then(|_| self.prefix());
                self.lists.push((prefix, start.unwrap_or(1)));
            }
            Event::End(TagEnd::List(_)) => {
                self.lists.pop();
            }
            Event::Start(Tag::Item) => {
                let mut step = None;
                if let Some((prefix, next)) = self.lists.last_mut() {
                    if let Some(prefix) = prefix {
                        if self.ids.capacity() == 0 {
                            // Room for a body's usual steps at once, rather than a string grown
                            // a doubling at a time from a few bytes.
                            self.ids.reserve(STEP_IDS_CAPACITY);
                        }
                        let start = self.ids.len();
                        ids.claim_into(numbered(prefix, *next), &mut self.ids);
                        step = Some(start..self.ids.len());
                    }
                    *next += 1;
                }
                self.items.push(step.clone());
                if let Some(step) = step {
                    self.ids.push('\n');
                    return Some(&self.ids[step]);
                }
            }
            Event::Start(Tag::FootnoteDefinition(_)) => self.items.push(None),
            Event::End(TagEnd::Item | TagEnd::FootnoteDefinition) => {
                self.items.pop();
            }
            _ => {}
        }
        None
    }

    /// Every step id handed out, in order.
    pub(super) fn into_list(self) -> StepList {
        // Copied to a string of its exact size: the build keeps every article's list until the
        // anchor check.
        StepList {
            ids: self.ids.as_str().into(),
        }
    }

    /// The prefix for the items of a numbered list starting now.
    fn prefix(&mut self) -> Option<String> {
        match self.items.last() {
            Some(Some(step)) => return Some(joined(&self.ids[step.clone()], "-")),
            Some(None) => return None,
            None => {}
        }
        let plain = self
            .plain_section
            .get_or_insert_with(|| self.section.clone());
        match &self.section {
            Some(heading) if *plain != self.section => Some(joined(heading, "-step-")),
            _ => Some("step-".to_string()),
        }
    }
}

/// `start` followed by `end`, without `format!`, which cost a list more than its ids.
fn joined(start: &str, end: &str) -> String {
    let mut text = String::with_capacity(start.len() + end.len());
    text.push_str(start);
    text.push_str(end);
    text
}

/// The room first made for a body's step ids: a dozen of `step-NN` with their line breaks.
const STEP_IDS_CAPACITY: usize = 128;

/// `prefix` followed by `number`: `step-` and 3 make `step-3`. Without `format!`, which took a
/// good part of the cost of a numbered item.
fn numbered(prefix: &str, number: u64) -> String {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(number);
    let mut id = String::with_capacity(prefix.len() + digits.len());
    id.push_str(prefix);
    id.push_str(digits);
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::Parser;

    /// The step ids of a body, with headings entering sections as the renderer does.
    fn steps(markdown: &str) -> Vec<String> {
        let mut steps = StepIds::default();
        let mut ids = HeadingIds::default();
        let mut heading_text: Option<String> = None;
        for event in Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_FOOTNOTES) {
            match &event {
                Event::Start(Tag::Heading { .. }) => heading_text = Some(String::new()),
                Event::Text(t) if heading_text.is_some() => {
                    heading_text.get_or_insert_default().push_str(t)
                }
                Event::End(TagEnd::Heading(_)) => {
                    let text = heading_text.take().unwrap_or_default();
                    let id = ids.claim(super::super::slugify_heading(&text));
                    steps.enter_section(&id);
                }
                _ => {}
            }
            steps.numbered_item(&event, &mut ids);
        }
        steps.into_list().iter().map(String::from).collect()
    }

    #[test]
    fn numbered_ids_write_the_number_in_decimal() {
        for number in [0, 1, 9, 10, 42, 99, 100, 1234567, u64::MAX] {
            assert_eq!(numbered("step-", number), format!("step-{number}"));
        }
        let mut next = crate::test_random::numbers(0x5851_f42d_4c95_7f2d);
        for _ in 0..1000 {
            let number = next(usize::MAX) as u64 >> next(64);
            assert_eq!(numbered("a-", number), format!("a-{number}"));
        }
    }

    #[test]
    fn the_first_procedure_has_plain_step_ids() {
        assert_eq!(
            steps("## Resolution\n\n1. a\n2. b\n3. c\n"),
            ["step-1", "step-2", "step-3"]
        );
        assert_eq!(steps("1. before any heading\n"), ["step-1"]);
    }

    #[test]
    fn later_procedures_are_named_after_their_heading() {
        let body =
            "### If you are browsing\n\n1. a\n2. b\n\n### If you run the site\n\n1. c\n2. d\n";
        assert_eq!(
            steps(body),
            [
                "step-1",
                "step-2",
                "if-you-run-the-site-step-1",
                "if-you-run-the-site-step-2"
            ]
        );
    }

    #[test]
    fn steps_use_the_number_the_reader_sees() {
        let body = "## Fix\n\n1. a\n\n```\ncode\n```\n\n2. b\n3. c\n";
        assert_eq!(steps(body), ["step-1", "step-2", "step-3"]);
    }

    #[test]
    fn sub_steps_extend_their_step_and_bullets_get_nothing() {
        let body = "1. a\n2. b\n   1. b one\n   2. b two\n\n- bullet\n  1. not a step\n";
        assert_eq!(steps(body), ["step-1", "step-2", "step-2-1", "step-2-2"]);
    }

    #[test]
    fn step_ids_never_repeat_a_heading_id() {
        assert_eq!(steps("## Step 1\n\n1. a\n"), ["step-1-1"]);
    }
}
