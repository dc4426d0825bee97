import pytest

from cvtext.cer import character_error_rate


@pytest.mark.parametrize(
    ("truth", "read", "rate"),
    [
        ("Conceição", "Conceição", 0.0),
        ("Conceição", "Conceicao", 2 / 9),  # two accents lost
        ("AWS e SQL", "AwS e SQL", 1 / 9),
        ("linha um\nlinha dois", "linha um linha  dois", 0.0),  # layout is not text
        ("abc", "", 1.0),
        ("", "", 0.0),
        ("", "x", 1.0),
    ],
)
def test_character_error_rate(truth, read, rate):
    assert character_error_rate(truth, read) == pytest.approx(rate)
