"""Pas-de-porte domain code shared by the build, the form app and the scripts."""
