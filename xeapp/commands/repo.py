"""`xeapp repo`: manage the image repository and serve it over HTTP."""

from __future__ import annotations

import argparse

from xeapp.commands import add_json_option, not_built


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "repo",
        help="add, list and remove images, or serve them to devices",
        description="Manage the image repository.",
    )
    actions = parser.add_subparsers(dest="repo_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add an image file to the repository")
    add.add_argument("file", metavar="FILE", help="image file to add")
    add.add_argument("--md5", metavar="HEX", help="expected MD5 of the file")
    add.add_argument("--sha512", metavar="HEX", help="expected SHA-512 of the file")
    add_json_option(add)
    listing = actions.add_parser("list", help="list the images in the repository")
    add_json_option(listing)
    remove = actions.add_parser("remove", help="remove an image from the repository")
    remove.add_argument("filename", metavar="FILENAME", help="file name of the image")
    actions.add_parser("serve", help="run the HTTP image server alone")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return not_built("repo")
