/// The dashboard, `GET /_opsworks-local/dashboard`: one page, its style and script inline and
/// compiled into the binary, so it works offline and from any folder (no CDN, no web fonts, no
/// file beside the executable). It reads `/_opsworks-local/dashboard/overview`, follows
/// `/_opsworks-local/events`, and acts through the OpsWorks API itself, as a client would.
enum DashboardPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>opsworks-local dashboard</title>
<style>
  :root { --fg: #1d2430; --muted: #5f6b7a; --line: #d9dee5; --bg: #f5f7fa; --card: #fff; --accent: #1f6feb; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
  header { display: flex; gap: 16px; align-items: center; padding: 10px 18px; background: #232f3e; color: #fff; position: sticky; top: 0; z-index: 2; }
  header h1 { font-size: 17px; margin: 0; font-weight: 600; }
  header .meta { color: #c7d0db; font-size: 13px; }
  header .spacer { flex: 1; }
  #live { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #6b7785; }
  #live.on { background: #1a7f37; }
  main { display: grid; grid-template-columns: minmax(0, 1fr) 380px; gap: 16px; padding: 16px 18px; }
  @media (max-width: 1100px) { main { grid-template-columns: 1fr; } }
  section.region > h2 { font-size: 15px; color: var(--muted); margin: 4px 0 8px; font-weight: 600; }
  .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin-bottom: 14px; }
  .card h3 { margin: 0 0 4px; font-size: 16px; }
  .card h4 { margin: 14px 0 6px; font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
  .sub { color: var(--muted); font-size: 12px; }
  table { width: 100%; border-collapse: collapse; font-size: 13px; }
  th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { color: var(--muted); font-weight: 600; font-size: 12px; }
  code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: #6b7785; white-space: nowrap; transition: background-color .3s; }
  .badge.online, .badge.successful { background: #1a7f37; }
  .badge.requested, .badge.pending, .badge.booting, .badge.running_setup, .badge.running, .badge.rebooting { background: #bf8700; }
  .badge.stopping, .badge.stopped, .badge.skipped, .badge.terminated { background: #6b7785; }
  .badge.registering, .badge.assigning, .badge.unassigning { background: #bf8700; }
  .badge.registered { background: #1f6feb; }
  .badge.failed, .badge.setup_failed, .badge.start_failed, .badge.stop_failed, .badge.connection_lost { background: #cf222e; }
  button { font: inherit; font-size: 12px; padding: 2px 9px; border: 1px solid #b6bfcb; border-radius: 5px; background: #fff; cursor: pointer; }
  button:hover { border-color: var(--accent); color: var(--accent); }
  body.readonly button.act, body.readonly .actions { display: none; }
  .actions { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; margin-top: 6px; }
  .actions input { font: inherit; font-size: 12px; padding: 2px 6px; width: 220px; }
  pre.log { background: #0d1117; color: #d1d7e0; padding: 8px; border-radius: 6px; max-height: 260px; overflow: auto; white-space: pre-wrap; margin: 4px 0; }
  aside .card { position: sticky; top: 60px; }
  #feed { max-height: 60vh; overflow: auto; }
  #feed td { font-size: 12px; }
  #feed .err { color: #cf222e; }
  #cli { white-space: pre-wrap; word-break: break-all; background: #0d1117; color: #d1d7e0; padding: 8px; border-radius: 6px; min-height: 2em; }
  .empty { color: var(--muted); padding: 24px; text-align: center; }
  a { color: var(--accent); cursor: pointer; }
</style>
</head>
<body>
<header>
  <h1>opsworks-local</h1>
  <span class="meta">clock <span id="clock" class="mono">–</span> <span id="clock-mode"></span></span>
  <span class="meta" id="mode"></span>
  <span class="spacer"></span>
  <span id="live">connecting</span>
</header>
<main>
  <div id="regions"><div class="empty">Loading…</div></div>
  <aside>
    <div class="card">
      <h4 style="margin-top:0">Last action, as the AWS CLI would send it</h4>
      <div id="cli" class="mono">Actions on this page are OpsWorks API calls; the command appears here.</div>
      <div id="action-result" class="sub"></div>
      <h4>API calls</h4>
      <div id="feed"><table><thead><tr><th>time</th><th>operation</th><th>status</th><th>ms</th><th>key</th></tr></thead><tbody id="feed-rows"></tbody></table></div>
    </div>
  </aside>
</main>
<script>
"use strict";
const state = { overview: null, openLogs: new Set(), refreshTimer: null, pollTimer: null };

function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const badge = (status, attrs) => h("span", Object.assign({ class: "badge " + status, "data-status": status }, attrs || {}), status);
const short = (id) => (id || "").slice(-12);  // time-ordered IDs share their first digits
const time = (iso) => iso ? iso.replace("T", " ").replace("+00:00", "") : "";
const seconds = (from, to) => (from && to) ? Math.round((Date.parse(to) - Date.parse(from)) / 1000) + " s" : "";

// The OpsWorks API, as any client calls it. The page signs nothing: without --verify-signatures
// the emulator takes the account and region from the credential scope alone.
async function callApi(region, account, operation, input) {
  const key = account === "000000000000" ? "DASHBOARD" : account;
  const response = await fetch("/", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "OpsWorks_20130218." + operation,
      "Authorization": "AWS4-HMAC-SHA256 Credential=" + key + "/20260101/" + region + "/opsworks/aws4_request, SignedHeaders=host, Signature=dashboard",
    },
    body: JSON.stringify(input),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((body.__type || response.status) + ": " + (body.message || ""));
  return body;
}

const kebab = (name) => name.replace(/[A-Z]/g, (c, i) => (i ? "-" : "") + c.toLowerCase());
const quote = (text) => /^[A-Za-z0-9_\-.:\/]+$/.test(text) ? text : "'" + text.replace(/'/g, "'\\''") + "'";

function cliCommand(region, operation, input) {
  const parts = ["aws opsworks --endpoint-url " + location.origin + " --region " + region, kebab(operation)];
  for (const [member, value] of Object.entries(input)) {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    parts.push("--" + kebab(member) + " " + quote(text));
  }
  return parts.join(" ");
}

async function act(region, account, operation, input) {
  document.getElementById("cli").textContent = cliCommand(region, operation, input);
  const result = document.getElementById("action-result");
  result.textContent = operation + "…";
  try {
    const output = await callApi(region, account, operation, input);
    result.textContent = operation + ": " + (JSON.stringify(output) === "{}" ? "done" : JSON.stringify(output));
  } catch (error) {
    result.textContent = operation + " refused: " + error.message;
  }
  scheduleRefresh();
}

function renderInstances(region, account, stack, instances) {
  if (!instances.length) return h("div", { class: "sub" }, "No instances.");
  return h("table", {},
    h("thead", {}, h("tr", {}, ["Hostname", "Status", "EC2 ID", "Addresses", "Type", ""].map((t) => h("th", {}, t)))),
    h("tbody", {}, instances.map((instance) => h("tr", { "data-instance-id": instance.InstanceId },
      h("td", {}, instance.Hostname, h("div", { class: "sub mono" }, short(instance.InstanceId))),
      h("td", {}, badge(instance.Status, { "data-instance-status": instance.InstanceId })),
      h("td", { class: "mono" }, instance.Ec2InstanceId || "–"),
      h("td", { class: "mono" }, instance.PublicIp ? [instance.PublicIp, h("br"), instance.PrivateIp] : (instance.PrivateIp || "–")),
      h("td", {}, instance.InstanceType || ""),
      h("td", {},
        ["stopped", "start_failed", "setup_failed", "stop_failed", "connection_lost"].includes(instance.Status)
          ? h("button", { class: "act", "data-action": "start", "data-instance-id": instance.InstanceId,
              onclick: () => act(region, account, "StartInstance", { InstanceId: instance.InstanceId }) }, "Start") : null,
        ["online", "booting", "running_setup", "requested", "pending"].includes(instance.Status)
          ? h("button", { class: "act", "data-action": "stop", "data-instance-id": instance.InstanceId,
              onclick: () => act(region, account, "StopInstance", { InstanceId: instance.InstanceId }) }, "Stop") : null)))));
}

function renderApps(region, account, stack, apps) {
  if (!apps.length) return h("div", { class: "sub" }, "No apps.");
  return h("table", {},
    h("thead", {}, h("tr", {}, ["App", "Type", "Source", "Kept versions", ""].map((t) => h("th", {}, t)))),
    h("tbody", {}, apps.map((app) => h("tr", { "data-app-id": app.AppId },
      h("td", {}, app.Name, h("div", { class: "sub mono" }, app.Shortname)),
      h("td", {}, app.Type),
      h("td", { class: "mono" }, app.AppSource ? (app.AppSource.Url || app.AppSource.Type) : "–",
        app.AppSource && app.AppSource.Revision ? " @ " + app.AppSource.Revision : ""),
      h("td", {}, String((app.KeptVersions || []).length),
        (app.KeptVersions || []).length ? h("div", { class: "sub mono" },
          app.KeptVersions.map((v) => (v.AppSource && v.AppSource.Revision) || "version").join(", ")) : null),
      h("td", {}, h("button", { class: "act", "data-action": "deploy", "data-app-id": app.AppId,
        onclick: () => act(region, account, "CreateDeployment", { StackId: stack.StackId, AppId: app.AppId, Command: { Name: "deploy" } }) }, "Deploy"))))));
}

function renderLog(commandId) {
  const box = h("pre", { class: "log", "data-log-for": commandId }, "loading…");
  fetch("/_opsworks-local/logs/" + commandId).then((r) => r.ok ? r.text() : "No log yet: the command has not started.").then((text) => { box.textContent = text; });
  return box;
}

function renderDeployments(region, account, deployments, hostnames) {
  if (!deployments.length) return h("div", { class: "sub" }, "No deployments yet.");
  return deployments.map((deployment) => h("div", { class: "deployment", "data-deployment-id": deployment.DeploymentId, style: "margin-bottom:10px" },
    h("div", {}, badge(deployment.Status, { "data-deployment-status": deployment.DeploymentId }), " ",
      h("strong", {}, deployment.Command.Name), " ",
      h("span", { class: "sub mono" }, short(deployment.DeploymentId)), " ",
      h("span", { class: "sub" }, time(deployment.CreatedAt), deployment.Duration !== undefined ? " · " + deployment.Duration + " s" : "",
        deployment.Comment ? " · " + deployment.Comment : "")),
    h("table", {},
      h("thead", {}, h("tr", {}, ["Instance", "Command", "Duration", "Exit", "Log"].map((t) => h("th", {}, t)))),
      h("tbody", {}, (deployment.Commands || []).map((command) => [
        h("tr", { "data-command-id": command.CommandId },
          h("td", {}, hostnames[command.InstanceId] || short(command.InstanceId)),
          h("td", {}, badge(command.Status)),
          h("td", {}, seconds(command.AcknowledgedAt || command.CreatedAt, command.CompletedAt)),
          h("td", {}, command.ExitCode === undefined ? "" : String(command.ExitCode)),
          h("td", {}, command.Status === "skipped" ? "–" : h("a", { onclick: () => {
            if (state.openLogs.has(command.CommandId)) state.openLogs.delete(command.CommandId); else state.openLogs.add(command.CommandId);
            render();
          } }, state.openLogs.has(command.CommandId) ? "hide" : "log"))),
        state.openLogs.has(command.CommandId) ? h("tr", {}, h("td", { colspan: 5 }, renderLog(command.CommandId))) : null,
      ])))));
}

function renderRegistered(entry, hostnames) {
  const attached = (id) => id ? hostnames[id] || short(id) : "–";
  const rows = [
    ...(entry.ElasticIps || []).map((ip) => ["Elastic IP", ip.Ip, ip.Name || ip.Domain, attached(ip.InstanceId)]),
    ...(entry.Volumes || []).filter((v) => !v.RaidArrayId).map((v) => ["Volume", v.Ec2VolumeId, [v.Name, v.MountPoint, v.Status].filter(Boolean).join(" · "), attached(v.InstanceId)]),
    ...(entry.RdsDbInstances || []).map((db) => ["RDS DB instance", db.DbInstanceIdentifier, db.Address, "user " + db.DbUser]),
    ...(entry.EcsClusters || []).map((c) => ["ECS cluster", c.EcsClusterName, c.EcsClusterArn, time(c.RegisteredAt)]),
  ];
  if (!rows.length) return h("div", { class: "sub" }, "Nothing registered.");
  return h("table", { class: "registered" },
    h("thead", {}, h("tr", {}, ["Kind", "Resource", "Details", "Attached to"].map((t) => h("th", {}, t)))),
    h("tbody", {}, rows.map((row) => h("tr", { "data-registered": row[1] }, row.map((cell, index) => h("td", index ? { class: "mono" } : {}, cell))))));
}

function renderPermissions(entry) {
  const permissions = (entry.Permissions || []).filter((p) => p.Level !== "iam_only" || p.AllowSsh || p.AllowSudo);
  if (!permissions.length) return null;
  return [h("h4", {}, "Permissions"), h("table", {},
    h("thead", {}, h("tr", {}, ["User", "Level", "SSH", "sudo"].map((t) => h("th", {}, t)))),
    h("tbody", {}, permissions.map((p) => h("tr", { "data-permission-for": p.IamUserArn },
      h("td", { class: "mono" }, p.IamUserArn.split("/").pop()), h("td", {}, p.Level),
      h("td", {}, p.AllowSsh ? "yes" : "no"), h("td", {}, p.AllowSudo ? "yes" : "no")))))];
}

function renderUsers(profiles) {
  if (!profiles || !profiles.length) return null;
  return h("div", { class: "card users" }, h("h4", { style: "margin-top:0" }, "User profiles"), h("table", {},
    h("thead", {}, h("tr", {}, ["Name", "IAM ARN", "SSH user", "Self-managed"].map((t) => h("th", {}, t)))),
    h("tbody", {}, profiles.map((u) => h("tr", { "data-user": u.IamUserArn },
      h("td", {}, u.Name), h("td", { class: "mono" }, u.IamUserArn), h("td", { class: "mono" }, u.SshUsername),
      h("td", {}, u.AllowSelfManagement ? "yes" : "no"))))));
}

function renderStack(region, account, entry) {
  const stack = entry.Stack;
  const hostnames = Object.fromEntries(entry.Instances.map((i) => [i.InstanceId, i.Hostname]));
  let recipes;
  return h("div", { class: "card stack", "data-stack-id": stack.StackId },
    h("h3", {}, stack.Name),
    h("div", { class: "sub" }, h("span", { class: "mono" }, stack.StackId), " · ", stack.Region, " · ", stack.DefaultOs,
      " · Chef ", (stack.ConfigurationManager || {}).Version || ""),
    h("div", { class: "actions" },
      h("button", { class: "act", "data-action": "setup", onclick: () => act(region, account, "CreateDeployment", { StackId: stack.StackId, Command: { Name: "setup" } }) }, "Run setup"),
      h("button", { class: "act", "data-action": "configure", onclick: () => act(region, account, "CreateDeployment", { StackId: stack.StackId, Command: { Name: "configure" } }) }, "Run configure"),
      recipes = h("input", { placeholder: "cookbook::recipe, …", "data-recipes-for": stack.StackId }),
      h("button", { class: "act", "data-action": "execute_recipes", onclick: () => {
        const list = recipes.value.split(",").map((r) => r.trim()).filter(Boolean);
        if (list.length) act(region, account, "CreateDeployment", { StackId: stack.StackId, Command: { Name: "execute_recipes", Args: { recipes: list } } });
      } }, "Run recipes")),
    h("h4", {}, "Layers"),
    entry.Layers.length ? h("div", {}, entry.Layers.map((layer) => h("span", { class: "badge", style: "background:#57606a;margin-right:6px" }, layer.Name + " (" + layer.Shortname + ")"))) : h("div", { class: "sub" }, "No layers."),
    h("h4", {}, "Instances"), renderInstances(region, account, stack, entry.Instances),
    h("h4", {}, "Apps"), renderApps(region, account, stack, entry.Apps),
    h("h4", {}, "Deployments, newest first"), renderDeployments(region, account, entry.Deployments, hostnames),
    h("h4", {}, "Registered resources"), renderRegistered(entry, hostnames),
    renderPermissions(entry));
}

const settled = new Set(["online", "stopped", "successful", "failed", "skipped", "setup_failed", "start_failed", "stop_failed", "connection_lost", "terminated"]);

function render() {
  const overview = state.overview;
  if (!overview) return;
  document.body.classList.toggle("readonly", overview.ReadOnly);
  document.getElementById("clock").textContent = time(overview.Clock);
  document.getElementById("clock-mode").textContent = overview.ClockMode === "manual" ? "(manual)" : "";
  document.getElementById("mode").textContent = overview.ReadOnly ? "read-only (signatures verified)" :
    "deployments " + overview.DeploymentSeconds + " s · instance steps " + overview.InstanceStepSeconds + " s";
  const container = document.getElementById("regions");
  const sections = overview.Regions.map((region) => h("section", { class: "region" },
    h("h2", {}, "Account " + region.Account + " · " + region.Region),
    renderUsers(region.UserProfiles),
    region.Stacks.map((entry) => renderStack(region.Region, region.Account, entry))));
  container.replaceChildren(...(sections.length ? sections : [h("div", { class: "empty" }, "No stacks yet. Create one with an SDK or the AWS CLI; it appears here.")]));
  // Lifecycles are read off the clock: while one runs on the system clock, look again shortly.
  const moving = overview.Regions.some((r) => r.Stacks.some((s) =>
    s.Instances.some((i) => !settled.has(i.Status)) || s.Deployments.some((d) => d.Status === "running")));
  clearTimeout(state.pollTimer);
  if (moving && overview.ClockMode !== "manual") state.pollTimer = setTimeout(refresh, 1000);
}

async function refresh() {
  try {
    const response = await fetch("/_opsworks-local/dashboard/overview");
    state.overview = await response.json();
    render();
  } catch (error) {
    document.getElementById("live").textContent = "server unreachable";
  }
}

function scheduleRefresh() {
  if (state.refreshTimer) return;
  state.refreshTimer = setTimeout(() => { state.refreshTimer = null; refresh(); }, 150);
}

function addCall(event) {
  const rows = document.getElementById("feed-rows");
  rows.prepend(h("tr", { class: event.status >= 400 ? "err" : "" },
    h("td", { class: "mono" }, (event.time || "").slice(11, 19)),
    h("td", {}, event.operation),
    h("td", {}, String(event.status), event.errorType ? " " + event.errorType : ""),
    h("td", {}, String(event.durationMs)),
    h("td", { class: "mono" }, event.accessKey)));
  while (rows.children.length > 100) rows.lastChild.remove();
}

function follow() {
  const source = new EventSource("/_opsworks-local/events");
  const live = document.getElementById("live");
  source.onopen = () => { live.textContent = "live"; live.classList.add("on"); refresh(); };
  source.onerror = () => { live.textContent = "reconnecting"; live.classList.remove("on"); };
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "call") addCall(event);
    if (event.type !== "call" || event.changed) scheduleRefresh();
  };
}

refresh();
follow();
</script>
</body>
</html>
"""#
}
