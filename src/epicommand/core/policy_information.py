"""Public information (issue 20, items 1-3): the daily bulletin's day, its sign-off stages,
and the limits of the public rumour form and of prevention articles."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SignStage:
    """One stage of a bulletin's sign-off: its code, what it is called, and the role
    whose holder signs it (a person's account; one person signs one stage at most)."""

    code: str
    label: str
    role: str


@dataclass(frozen=True)
class InformationRules:
    # The bulletin covers "day X 0-24 h", Beijing time: the day ends at this hour (24 is
    # midnight; 20 would make a bulletin of 20:00 to 20:00) and is drafted then.
    day_ends_hour: int = 24
    # Sign-off, in order: the office checks the figures, then a top leader signs.
    sign_stages: tuple[SignStage, ...] = field(
        default_factory=lambda: (
            SignStage("check", "Checked by the command office", "city_office"),
            SignStage("approve", "Approved by a leader", "leader"),
        )
    )
    # The public rumour form: reports a browser and an address may send in the window.
    rumour_reports_per_session: int = 5
    rumour_reports_per_address: int = 30
    rumour_window_minutes: int = 60
    screenshot_max_bytes: int = 3 * 1024 * 1024
    # Prevention articles: limits of the text (plain text; blank lines part paragraphs).
    article_max_chars: int = 20_000
    # The public pages list this many days of bulletins and refutations.
    public_history_days: int = 60
