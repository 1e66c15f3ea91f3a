-- What a webhook is: an office system's endpoint (`generic`: the event as JSON, signed with
-- X-Rectify-Signature), or a chat group's robot, which takes its platform's own message and
-- gets the weekly digest once per week for its organization rather than once per person.
ALTER TABLE webhooks ADD COLUMN kind TEXT NOT NULL DEFAULT 'generic'
    CHECK (kind IN ('generic', 'wecom', 'dingtalk', 'feishu'));
