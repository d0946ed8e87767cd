#!/usr/bin/env python3
"""Reads the Dockerfile's final (runtime) stage, for tests/deploy/validate.sh and
tests/deploy/rootfs.sh: the base image, the packages its `apt-get install`
lines install, the user (name, uid, gid) its groupadd/useradd create, the
directories it creates, USER, ENV, WORKDIR, EXPOSE, VOLUME, ENTRYPOINT, CMD and
the HEALTHCHECK command.

usage: dockerfile_info.py [DOCKERFILE] [FIELD]
  no FIELD: everything as JSON; FIELD: that value (lists one item a line,
  a JSON-array instruction as one JSON line).
"""
import json
import re
import shlex
import sys


def instructions(text):
    """(INSTRUCTION, argument) pairs, continuation lines joined, comments dropped."""
    out, buf = [], ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if not buf and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if buf and line.lstrip().startswith("#"):
            continue                     # a comment inside a continued instruction
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        word, _, rest = buf.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
        buf = ""
    if buf:
        raise SystemExit("Dockerfile: the last instruction ends with a line continuation")
    return out


def exec_form(arg):
    arg = arg.strip()
    if arg.startswith("["):
        return json.loads(arg)
    return ["/bin/sh", "-c", arg]


def apt_packages(run):
    """Packages named by every `apt-get install` in a RUN's shell text."""
    pkgs = []
    for cmd in re.split(r"&&|;|\|\|", run):
        words = shlex.split(cmd)
        words = [w for w in words if "=" not in w or w.startswith("-")]   # drop VAR=value prefixes
        if len(words) >= 2 and words[0] == "apt-get" and "install" in words:
            after = words[words.index("install") + 1:]
            pkgs += [w for w in after if not w.startswith("-")]
    return pkgs


def parse(path):
    with open(path, encoding="utf-8") as f:
        ins = instructions(f.read())
    stages = []
    for word, arg in ins:
        if word == "FROM":
            parts = arg.split()
            stages.append({"from": parts[0], "name": parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None,
                           "instructions": []})
        elif stages:
            stages[-1]["instructions"].append((word, arg))
    if not stages:
        raise SystemExit(f"{path}: no FROM")
    final = stages[-1]
    info = {"stages": [s["name"] or s["from"] for s in stages], "base": final["from"], "packages": [],
            "user": None, "uid": None, "gid": None, "group": None, "dirs": [], "run_user": None, "env": {},
            "workdir": None, "expose": [], "volumes": [], "entrypoint": None, "cmd": None, "healthcheck": None,
            "copies": [], "build_run": []}
    for s in stages[:-1]:
        info["build_run"] += [arg for w, arg in s["instructions"] if w == "RUN"]
    for word, arg in final["instructions"]:
        if word == "RUN":
            info["packages"] += apt_packages(arg)
            for cmd in re.split(r"&&|;", arg):
                words = shlex.split(cmd)
                if not words:
                    continue
                if words[0] == "useradd":
                    info["user"] = words[-1]
                    if "--uid" in words:
                        info["uid"] = int(words[words.index("--uid") + 1])
                    if "--gid" in words:
                        info["gid"] = words[words.index("--gid") + 1]
                elif words[0] == "groupadd":
                    info["group"] = words[-1]
                    if "--gid" in words:
                        info["gid"] = words[words.index("--gid") + 1]
                elif words[0] == "install" and "-d" in words:
                    owner = words[words.index("-o") + 1] if "-o" in words else "0"
                    mode = words[words.index("-m") + 1] if "-m" in words else "0755"
                    skip = {"-o", "-g", "-m"}
                    args, i = [], 1
                    while i < len(words):
                        if words[i] in skip:
                            i += 2
                            continue
                        if not words[i].startswith("-"):
                            args.append(words[i])
                        i += 1
                    info["dirs"] += [{"path": p, "owner": owner, "mode": mode} for p in args]
        elif word == "USER":
            info["run_user"] = arg
        elif word == "ENV":
            for item in shlex.split(arg):
                k, _, v = item.partition("=")
                info["env"][k] = v
        elif word == "WORKDIR":
            info["workdir"] = arg
        elif word == "EXPOSE":
            info["expose"] += arg.split()
        elif word == "VOLUME":
            info["volumes"] += json.loads(arg) if arg.startswith("[") else arg.split()
        elif word == "ENTRYPOINT":
            info["entrypoint"] = exec_form(arg)
        elif word == "CMD":
            info["cmd"] = exec_form(arg)
        elif word == "COPY":
            info["copies"].append(arg)
        elif word == "HEALTHCHECK":
            opts, _, cmd = arg.partition("CMD")
            info["healthcheck"] = {"options": opts.split(), "cmd": exec_form(cmd)}
    if info["gid"] is not None and str(info["gid"]).isdigit():
        info["gid"] = int(info["gid"])
    return info


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "Dockerfile"
    info = parse(path)
    if len(sys.argv) > 2:
        v = info[sys.argv[2]]
        if isinstance(v, list) and all(isinstance(x, str) for x in v) and sys.argv[2] in ("packages", "volumes", "expose", "stages"):
            print("\n".join(v))
        elif isinstance(v, (list, dict)):
            print(json.dumps(v))
        else:
            print("" if v is None else v)
    else:
        print(json.dumps(info, indent=2))


if __name__ == "__main__":
    main()
