project = "microweb"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.intersphinx"]
intersphinx_mapping = {
    "python": ("https://docs.python.org/3/", None),
    "werkzeug": ("https://werkzeug.palletsprojects.com/en/stable/", None),
}
autodoc_member_order = "bysource"
html_theme = "alabaster"
