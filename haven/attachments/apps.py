from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "haven.attachments"
    label = "attachments"
    verbose_name = "Attachments"
