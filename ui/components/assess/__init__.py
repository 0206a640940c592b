"""The Assess page's helpers.

Modules: `answer_fields` (answer <-> widget values, no streamlit), `answer_form`
(one question's widgets), `actions` (the callbacks that save, clear and confirm
answers and complete a round), `state` (the answer widgets' values and which
stored version they show; the workshop pages use its `AnswerWidgets` too).
"""
