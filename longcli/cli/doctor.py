"""`longcli doctor`'s report, worded for a terminal or as JSON."""

from __future__ import annotations

import dataclasses
import json

from longcli.doctor import DoctorReport, Status

MARKS = {Status.ok: "ok  ", Status.info: "--  ", Status.warn: "warn", Status.fail: "FAIL"}


def render_doctor(report: DoctorReport, as_json: bool) -> str:
    if as_json:
        data = dataclasses.asdict(report)
        data["healthy"] = report.healthy
        return json.dumps(data, indent=2) + "\n"
    lines = ["versions"]
    lines += [f"  {name:18} {value}" for name, value in report.versions.items()]
    lines.append("paths")
    lines += [f"  {name:18} {value}" for name, value in report.paths.items()]
    area = ""
    for check in report.checks:
        if check.area != area:
            area = check.area
            lines.append(area)
        lines.append(f"  {MARKS[check.status]} {check.name:18} {check.detail}")
        if check.fix and check.status != Status.ok:
            lines.append(f"       {'':18} -> {check.fix}")
    if report.system_info:
        lines += ["llama.cpp system info", f"  {report.system_info}"]
    failed = [c for c in report.checks if c.status == Status.fail]
    lines.append("all good" if not failed else f"{len(failed)} problem(s): see FAIL above")
    return "\n".join(lines) + "\n"
