"""The Assess page's helpers.

Modules: `answer_fields` (answer <-> widget values, no streamlit) and `answer_form`
(one question's widgets and the callbacks that save them).
"""
