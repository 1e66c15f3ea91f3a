// Drives a running Rectify through a TypeScript client generated from openapi/openapi.json
// (openapi-typescript for the types, openapi-fetch for the calls). `tsc --strict` checks every
// path, parameter and body against the document before this runs; running it checks the
// answers: the overdue report read as a typed object, workbooks read as bytes.
//
// Usage: node out/walkthrough.js BASE_URL ADMIN_PASSWORD

import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

type OverdueReport = components["schemas"]["OverdueReport"];
type OverdueItem = components["schemas"]["OverdueItem"];

const [base, password] = process.argv.slice(2);
if (!base || !password) {
  throw new Error("usage: walkthrough.js BASE_URL ADMIN_PASSWORD");
}

function must<T>(what: string, answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.data === undefined) {
    throw new Error(`${what}: ${answer.response.status} ${JSON.stringify(answer.error)}`);
  }
  return answer.data;
}

const anonymous = createClient<paths>({ baseUrl: base });
const refused = await anonymous.POST("/api/v1/auth/login", {
  body: { username: "admin", password: "not-the-password" },
});
if (refused.response.status !== 401 || refused.error?.code === undefined) {
  throw new Error(`a wrong password: ${refused.response.status}`);
}
const session = must(
  "sign in",
  await anonymous.POST("/api/v1/auth/login", { body: { username: "admin", password } }),
);
const client = createClient<paths>({
  baseUrl: base,
  headers: { Authorization: `Bearer ${session.access_token}` },
});
const me = must("me", await client.GET("/api/v1/auth/me"));
const suffix = Math.random().toString(36).slice(2, 10);
const owner = must(
  "an owner",
  await client.POST("/api/v1/users", {
    body: {
      username: `ts.owner.${suffix}`,
      display_name: "王芳",
      organization_id: me.organization.id,
      role: "owner",
      password: "ts-client-walkthrough-password",
    },
  }),
);
const review = must(
  "a review",
  await client.POST("/api/v1/reviews", {
    body: {
      organization_id: me.organization.id,
      title: "2026年度民主生活会",
      kind: "democratic_life",
      held_on: "2026-11-20",
      aspects: ["作风建设方面"],
    },
  }),
);
const measure = must(
  "a measure",
  await client.POST("/api/v1/measures", {
    body: { review_id: review.id, title: "建立台账定期核对制度" },
  }),
);
const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
const late = must(
  "a problem past its deadline",
  await client.POST("/api/v1/problems", {
    body: {
      review_id: review.id,
      aspect: "作风建设方面",
      title: "党员发展工作台账更新不及时",
      owner_id: owner.id,
      deadline: tenDaysAgo,
      measure_ids: [measure.id],
    },
  }),
);
const confirmed = must(
  "confirm",
  await client.POST("/api/v1/problems/{id}/transitions", {
    params: { path: { id: late.id } },
    body: { action: "confirm" },
  }),
);
if (confirmed.status !== "open") {
  throw new Error(`confirmed into ${confirmed.status}`);
}

// The report as the type the document declares; the compiler holds the field names to it.
const report: OverdueReport = must(
  "the overdue report",
  await client.GET("/api/v1/reports/overdue", { params: { query: { group_by: "owner" } } }),
);
const listed: OverdueItem | undefined = report.overdue.find((item) => item.key === late.key);
if (listed === undefined || listed.days_overdue < 9 || listed.owner_id !== owner.id) {
  throw new Error(`${late.key} is not in the overdue report: ${JSON.stringify(report.overdue)}`);
}
if (!report.groups.some((group) => group.problems >= 1)) {
  throw new Error(`no group counts it: ${JSON.stringify(report.groups)}`);
}

// Workbooks as bytes.
const workbooks = [
  await client.GET("/api/v1/reports/ledger.xlsx", {
    params: { query: { review_id: review.id } },
    parseAs: "arrayBuffer",
  }),
  await client.GET("/api/v1/reports/overdue.xlsx", { parseAs: "arrayBuffer" }),
];
for (const answer of workbooks) {
  const bytes = new Uint8Array(must("a workbook", answer));
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4;
  if (!zip || bytes.length < 4000) {
    throw new Error(`not a workbook: ${bytes.length} bytes`);
  }
}
console.log(
  `generated TypeScript client: ${late.key} confirmed, read typed in the overdue report ` +
    `(${listed.days_overdue} days overdue), ledger and overdue workbooks read as bytes`,
);
