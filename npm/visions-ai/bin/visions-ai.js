#!/usr/bin/env node
// Runs the native `visions-ai` binary that npm installed for this machine.
//
// The binary ships in one package per platform (@visions-ai/cli-<os>-<arch>), each listed in
// this package's optionalDependencies with `os` and `cpu` fields, so npm installs only the one
// that matches. VISIONS_AI_BINARY, when set, names a binary to run instead (a local build).
"use strict";

const { spawnSync } = require("child_process");
const fs = require("fs");
const { constants } = require("os");
const path = require("path");

const SUPPORTED = ["darwin-arm64", "darwin-x64", "linux-arm64", "linux-x64"];
const VERSION = require("../package.json").version;
const FROM_SOURCE =
  "build it from source (cargo install --locked --path cli, in a checkout of the Visions AI " +
  "repository) and set VISIONS_AI_BINARY to the path of the binary";

function fail(lines) {
  process.stderr.write(`visions-ai: ${lines.join("\n")}\n`);
  process.exit(1);
}

function binaryPath() {
  const override = process.env.VISIONS_AI_BINARY;
  if (override) return override;

  const platform = `${process.platform}-${process.arch}`;
  if (!SUPPORTED.includes(platform)) {
    fail([
      `no prebuilt binary for this platform (${platform}).`,
      `Prebuilt binaries exist for: ${SUPPORTED.join(", ")}.`,
      `To run visions-ai here, ${FROM_SOURCE}.`,
    ]);
  }

  const pkg = `@visions-ai/cli-${platform}`;
  let manifest;
  try {
    manifest = require.resolve(`${pkg}/package.json`);
  } catch (error) {
    if (error.code !== "MODULE_NOT_FOUND") throw error;
    fail([
      `the binary for this platform (${platform}) is missing: the package ${pkg} is not installed.`,
      "npm installs it as an optional dependency of visions-ai, and leaves it out when optional",
      "dependencies are omitted (--no-optional, --omit=optional, NPM_CONFIG_OMIT=optional) or",
      "when the package-lock.json was written on another platform.",
      "Reinstall with optional dependencies (rm -rf node_modules package-lock.json && npm install),",
      `or add it directly: npm install ${pkg}@${VERSION}`,
      `Otherwise, ${FROM_SOURCE}.`,
    ]);
  }
  return path.join(path.dirname(manifest), "bin", "visions-ai");
}

const bin = binaryPath();

// As system(3) does: Ctrl-C and Ctrl-\ reach the whole foreground process group, so the binary
// gets them itself; the launcher waits for it to finish (a server shutting down cleanly, say)
// instead of dying first and handing the terminal back early.
const ignore = () => {};
const TERMINAL_SIGNALS = ["SIGINT", "SIGQUIT"];
for (const signal of TERMINAL_SIGNALS) process.on(signal, ignore);

const result = spawnSync(bin, process.argv.slice(2), { stdio: "inherit" });

for (const signal of TERMINAL_SIGNALS) process.removeListener(signal, ignore);

if (result.error) {
  const hint =
    result.error.code === "ENOENT"
      ? fs.existsSync(bin)
        ? "the file is there but its loader is not (a glibc binary on a musl system?)"
        : "the file does not exist; reinstall visions-ai, or fix VISIONS_AI_BINARY"
      : result.error.code === "EACCES"
        ? `it is not executable; chmod +x ${bin}`
        : "reinstall visions-ai, or set VISIONS_AI_BINARY to a working binary";
  fail([`could not run ${bin}: ${result.error.message}`, hint]);
}

if (result.signal) {
  // Die of the same signal, so that our parent sees what the binary's parent would have seen.
  process.kill(process.pid, result.signal);
  // Still here (Node ignores SIGPIPE, for one): the shell's convention for a signal death.
  process.exit(128 + (constants.signals[result.signal] || 0));
}
process.exit(result.status === null ? 1 : result.status);
