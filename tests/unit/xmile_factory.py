"""Small inline XMILE models for unit tests."""

from __future__ import annotations

from wholesystem.parse import read_xmile_text
from wholesystem.run import Model


def xmile(variables: str, *, start: float = 0, stop: float = 10, dt: float = 1,
          method: str = "Euler", dimensions: str = "", extra_models: str = "",
          savestep: float | None = None) -> str:
    save = f"<savestep>{savestep}</savestep>" if savestep is not None else ""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><name>test</name></header>
<sim_specs method="{method}" time_units="days">
<start>{start}</start><stop>{stop}</stop><dt>{dt}</dt>{save}
</sim_specs>
<dimensions>{dimensions}</dimensions>
<model><variables>
{variables}
</variables></model>
{extra_models}
</xmile>"""


def model_of(variables: str, **kwargs: object) -> Model:
    return Model(read_xmile_text(xmile(variables, **kwargs), "m.xmile"))  # type: ignore[arg-type]


def aux(name: str, eqn: str, dims: str = "") -> str:
    dim_xml = "".join(f'<dim name="{d}"/>' for d in dims.split()) if dims else ""
    dim_block = f"<dimensions>{dim_xml}</dimensions>" if dims else ""
    return f'<aux name="{name}">{dim_block}<eqn>{eqn}</eqn></aux>'


def stock(name: str, initial: str, inflows: str = "", outflows: str = "", dims: str = "",
          non_negative: bool = False) -> str:
    dim_xml = "".join(f'<dim name="{d}"/>' for d in dims.split()) if dims else ""
    dim_block = f"<dimensions>{dim_xml}</dimensions>" if dims else ""
    ins = "".join(f"<inflow>{f}</inflow>" for f in inflows.split())
    outs = "".join(f"<outflow>{f}</outflow>" for f in outflows.split())
    nn = "<non_negative/>" if non_negative else ""
    return f'<stock name="{name}">{dim_block}<eqn>{initial}</eqn>{ins}{outs}{nn}</stock>'


def flow(name: str, eqn: str, dims: str = "", non_negative: bool = False) -> str:
    dim_xml = "".join(f'<dim name="{d}"/>' for d in dims.split()) if dims else ""
    dim_block = f"<dimensions>{dim_xml}</dimensions>" if dims else ""
    nn = "<non_negative/>" if non_negative else ""
    return f'<flow name="{name}">{dim_block}<eqn>{eqn}</eqn>{nn}</flow>'
