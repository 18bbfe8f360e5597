"""Explore ecosystem growth interactively: pick a model, move the adoption parameters.

:class:`GrowthExplorer` shows a model chooser and sliders; every change re-runs
a handful of seeded simulations and updates the growth curves and the key
numbers. It needs no print output (an ``Image`` and an ``HTML`` widget hold the
results), and it has a static rendering (``_repr_html_``: the key numbers
table), so a saved or exported notebook still says something.

>>> from coopcreds_proto.ecosystem.scenarios import EcosystemSource
>>> explorer = GrowthExplorer(EcosystemSource.synthetic(30, seed=1), runs=2, seed=3, years=2)
>>> explorer.key_numbers().loc["Co-ops that have adopted", "after 2 years"] >= 0
True
>>> explorer.imitation.value = 0.2  # the plots and numbers follow
>>> explorer.scenario().params.imitation
0.2
"""

from __future__ import annotations

import io
from typing import Any

import ipywidgets as widgets
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import html_views
from ..ecosystem.growth_plots import plot_growth
from ..ecosystem.runner import months_to_share, run_scenarios
from ..ecosystem.scenarios import EcosystemSource, Scenario, model_ids
from ..ecosystem.simulation import GrowthParams
from .styled import widget_bundle

SLIDERS = {
    # parameter: (label, min, max, step)
    "innovation": ("Innovation p", 0.0, 0.02, 0.0005),
    "imitation": ("Imitation q", 0.0, 0.3, 0.005),
    "wallet_imitation": ("Wallet uptake", 0.0, 0.5, 0.01),
    "agreement_rate": ("Agreements/month", 0.0, 3.0, 0.1),
}
DPI = 80


class GrowthExplorer:
    """Model chooser, adoption sliders, growth curves and key numbers for one ecosystem.

    ``runs`` seeded runs (seed ``seed``) of ``years`` years are simulated in this
    process at every change; keep the ecosystem small (tens to a few hundred
    co-ops) so that the plots follow the sliders.
    """

    def __init__(
        self,
        ecosystem: EcosystemSource | None = None,
        *,
        model: str = "convenor",
        params: GrowthParams | None = None,
        runs: int = 8,
        seed: int,
        years: int = 10,
    ) -> None:
        self.ecosystem = ecosystem or EcosystemSource.data()
        self.runs, self.seed, self.years = runs, seed, years
        base = params or GrowthParams()
        self.base_params = GrowthParams(**{**base.__dict__, "months": 12 * years})
        style = {"description_width": "140px"}
        self.model = widgets.Dropdown(options=list(model_ids()), value=model,
                                      description="Ecosystem model", style=style)
        self.sliders: dict[str, widgets.FloatSlider] = {}
        for name, (label, low, high, step) in SLIDERS.items():
            self.sliders[name] = widgets.FloatSlider(
                value=getattr(self.base_params, name), min=low, max=high, step=step,
                description=label, readout_format=".4g", continuous_update=False, style=style,
            )
        self.numbers = widgets.HTML()
        self.image = widgets.Image(format="png")
        controls = widgets.VBox([self.model, *self.sliders.values()])
        self.widget = widgets.VBox([widgets.HBox([controls, self.numbers]), self.image])
        self.results: pd.DataFrame | None = None
        self.update()
        self.model.observe(self._changed, names="value")
        for slider in self.sliders.values():
            slider.observe(self._changed, names="value")

    @property
    def imitation(self) -> widgets.FloatSlider:
        return self.sliders["imitation"]

    @property
    def innovation(self) -> widgets.FloatSlider:
        return self.sliders["innovation"]

    def scenario(self) -> Scenario:
        """The scenario the controls describe now."""
        values = {name: slider.value for name, slider in self.sliders.items()}
        params = GrowthParams(**{**self.base_params.__dict__, **values})
        return Scenario(f"{self.model.value}", self.model.value, params, self.ecosystem,
                        runs=self.runs, seed=self.seed)

    def _changed(self, _change: Any) -> None:
        self.update()

    def update(self) -> None:
        """Re-run the simulations and refresh the numbers and the plot."""
        self.results = run_scenarios(self.scenario(), executor="serial")
        self.numbers.value = self._numbers_html()
        self.image.value = self._png()

    def key_numbers(self) -> pd.DataFrame:
        """Median over runs at the horizon: co-ops, wallets, interactions, agreements."""
        assert self.results is not None
        last = self.results[self.results["period"] == 12 * self.years]
        median = last.groupby("metric")["value"].median()
        half = months_to_share(self.results, 0.5).iloc[0]
        column = f"after {self.years} years"
        table = pd.DataFrame({column: {
            "Co-ops that have adopted": round(float(median["adopted_coops"]), 1),
            "Members holding the credential": round(float(median["wallet_holders"])),
            "Interactions per month": round(float(median["interactions"])),
            "Recognition agreements": round(float(median["agreements"]), 1),
            "Months until half the co-ops adopt": "not reached" if pd.isna(half) else half,
        }})
        table.index.name = f"{self.model.value}, {self.runs} runs"
        return table

    def _numbers_html(self) -> str:
        return html_views.render(
            "widgets/growth_numbers.html",
            title=f"{self.model.value}: median of {self.runs} runs, after {self.years} years",
            rows=[(str(k), f"{v:,}" if not isinstance(v, str) else v)
                  for k, v in self.key_numbers().iloc[:, 0].items()])

    def _png(self) -> bytes:
        # A bare Figure (not pyplot): nothing is shown twice in the notebook.
        fig = Figure(figsize=(9, 3.4), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        left, right = fig.subplots(1, 2)
        assert self.results is not None
        plot_growth(self.results, "adopted_coops", ax=left, title="Co-ops that have adopted")
        plot_growth(self.results, "interactions", ax=right, title="Interactions per month")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()

    def _repr_html_(self) -> str:
        return html_views.with_stylesheet(self._numbers_html())

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        # Live notebooks render the widget; static views (nbval, HTML export) the table.
        return widget_bundle(self.widget, html=self._numbers_html(), text=repr(self),
                             include=include, exclude=exclude)

    def __repr__(self) -> str:
        return (f"GrowthExplorer(model={self.model.value!r}, runs={self.runs}, "
                f"years={self.years}, ecosystem={self.ecosystem.describe()!r})")
