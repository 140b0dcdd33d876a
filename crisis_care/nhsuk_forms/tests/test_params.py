from django import forms

from crisis_care.nhsuk_forms.fields import NhsDateField
from crisis_care.nhsuk_forms.params import date_params, error_summary_params, input_params


class ExampleForm(forms.Form):
    name = forms.CharField(label="Name", error_messages={"required": "Enter a name"})
    born = NhsDateField(label="Date of birth", allow_future=False)


def test_errors_link_from_the_summary_to_the_field():
    form = ExampleForm({"name": "", "born[day]": "1", "born[month]": "", "born[year]": "1990"})
    assert not form.is_valid()

    summary = error_summary_params(form)

    assert summary is not None
    assert summary["titleText"] == "There is a problem"
    assert {"text": "Enter a name", "href": "#id_name"} in summary["errorList"]
    assert {"text": "Date of birth must include a month", "href": "#id_born-month"} in summary[
        "errorList"
    ]


def test_inputs_keep_what_was_typed_and_show_the_error():
    form = ExampleForm({"name": "", "born[day]": "31", "born[month]": "2", "born[year]": "1990"})
    form.is_valid()

    assert input_params(form["name"])["errorMessage"] == {"text": "Enter a name"}
    born = date_params(form["born"])
    assert [i["value"] for i in born["items"]] == ["31", "2", "1990"]
    assert born["errorMessage"] == {"text": "Date of birth must be a real date"}


def test_a_valid_form_has_no_summary():
    form = ExampleForm({"name": "Sam", "born[day]": "1", "born[month]": "2", "born[year]": "1990"})
    assert form.is_valid()
    assert error_summary_params(form) is None
