#!/usr/bin/env node
// Extracts the request-body schemas of the GitHub REST operations prcov calls from GitHub's
// official OpenAPI description (npm package @octokit/openapi) into a small fixture that the host
// tests validate every request body against.
//
// Usage:
//   cd /tmp && npm pack @octokit/openapi && tar xzf octokit-openapi-*.tgz
//   node scripts/extract-openapi-schemas.js /tmp/package/generated/api.github.com.deref.json \
//     > fixtures/host/github-openapi-subset.json
//
// Descriptions and examples are dropped (they are prose, not constraints); every other keyword is
// kept as published, so the fixture is a faithful subset that can be regenerated and diffed.
"use strict";
const fs = require("fs");
const path = require("path");

const OPERATIONS = [
  ["repos/create-commit-status", "post", "/repos/{owner}/{repo}/statuses/{sha}"],
  ["issues/list-comments", "get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
  ["issues/create-comment", "post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
  ["issues/update-comment", "patch", "/repos/{owner}/{repo}/issues/comments/{comment_id}"],
  ["issues/delete-comment", "delete", "/repos/{owner}/{repo}/issues/comments/{comment_id}"],
  ["checks/create", "post", "/repos/{owner}/{repo}/check-runs"],
  ["checks/update", "patch", "/repos/{owner}/{repo}/check-runs/{check_run_id}"],
  ["pulls/get", "get", "/repos/{owner}/{repo}/pulls/{pull_number}"],
  // `--from` without `workflow_run.pull_requests` (fork PRs): the PR whose head is the run's.
  ["pulls/list", "get", "/repos/{owner}/{repo}/pulls"],
  // The token's own identity: only its comments are adopted as the sticky comment.
  ["users/get-authenticated", "get", "/user"],
  // History (issue 13): the record of a default-branch run, as an Actions artifact.
  ["repos/get", "get", "/repos/{owner}/{repo}"],
  ["actions/list-artifacts-for-repo", "get", "/repos/{owner}/{repo}/actions/artifacts"],
  [
    "actions/download-artifact",
    "get",
    "/repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}",
  ],
];

// Operations whose 200 answer the fake GitHub serves as data the client interprets: their
// response schema is kept so the fake's answers are checked against it too.
const RESPONSE_SCHEMAS = new Set(["actions/list-artifacts-for-repo"]);

const DROP = new Set(["description", "example", "examples", "externalDocs"]);

// `isPropertyMap` marks the value of a `properties` keyword: there the keys are field names (a
// commit status has a field called `description`), not schema keywords, so nothing is dropped.
function strip(node, isPropertyMap = false) {
  if (Array.isArray(node)) return node.map((item) => strip(item));
  if (node && typeof node === "object") {
    const out = {};
    for (const key of Object.keys(node)) {
      if (isPropertyMap) out[key] = strip(node[key]);
      else if (!DROP.has(key)) out[key] = strip(node[key], key === "properties");
    }
    return out;
  }
  return node;
}

function main() {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: extract-openapi-schemas.js <api.github.com.deref.json>");
    process.exit(2);
  }
  const spec = JSON.parse(fs.readFileSync(file, "utf8"));
  let pkgVersion = null;
  try {
    const pkg = path.join(path.dirname(file), "..", "package.json");
    pkgVersion = JSON.parse(fs.readFileSync(pkg, "utf8")).version;
  } catch (_) {
    // The version is informational only.
  }
  const operations = {};
  for (const [id, method, route] of OPERATIONS) {
    const op = spec.paths[route] && spec.paths[route][method];
    if (!op || op.operationId !== id) {
      console.error(`operation ${id} (${method.toUpperCase()} ${route}) not found in ${file}`);
      process.exit(1);
    }
    const body = op.requestBody && op.requestBody.content["application/json"];
    operations[id] = {
      method: method.toUpperCase(),
      path: route,
      request_body: body ? strip(body.schema) : null,
      query_parameters: (op.parameters || []).filter((p) => p.in === "query").map((p) => p.name),
      responses: Object.keys(op.responses),
    };
    if (RESPONSE_SCHEMAS.has(id)) {
      const ok = op.responses["200"].content["application/json"];
      operations[id].response_body = strip(ok.schema);
    }
  }
  const out = {
    source: "@octokit/openapi generated/api.github.com.deref.json",
    source_version: pkgVersion,
    openapi_info_version: spec.info && spec.info.version,
    operations,
  };
  process.stdout.write(JSON.stringify(out, null, 2) + "\n");
}

main();
