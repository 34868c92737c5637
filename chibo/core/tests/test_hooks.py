import pytest

from chibo.core import hooks


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(hooks, "_registry", {})
    return hooks


def test_functions_come_back_in_order_once_each(registry):
    def late(*a):
        return hooks.Panel("late.html", order=5)

    def early(*a):
        return hooks.Panel("early.html", order=1)

    def silent(*a):
        return None

    registry.register(hooks.UNIT_PAGE_PANELS, late, order=20)
    registry.register(hooks.UNIT_PAGE_PANELS, early, order=10)
    registry.register(hooks.UNIT_PAGE_PANELS, early, order=10)  # a second ready(): no twin
    registry.register(hooks.UNIT_PAGE_PANELS, silent)
    assert registry.get(hooks.UNIT_PAGE_PANELS) == [early, late, silent]
    # Panels keep their own order; a function may have nothing to show.
    assert [p.template for p in registry.panels(hooks.UNIT_PAGE_PANELS)] == [
        "early.html",
        "late.html",
    ]


def test_an_unknown_name_is_refused(registry):
    with pytest.raises(ValueError):
        registry.register("unit_page_panel", lambda *a: None)
    with pytest.raises(ValueError):
        registry.get("home_card")


def test_the_decorator_form_registers_too(registry):
    @registry.register(hooks.HOME_CARDS)
    def card(request):
        return None

    assert registry.get(hooks.HOME_CARDS) == [card]
