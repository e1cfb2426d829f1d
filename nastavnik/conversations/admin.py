from django.contrib import admin

from nastavnik.conversations.models import Conversation


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("external_id", "source", "channel", "operator", "started_at", "csat")
    list_filter = ("channel", "source", "direction")
    search_fields = ("external_id", "client_name")
    raw_id_fields = ("operator", "team")
    date_hierarchy = "started_at"
    readonly_fields = ("content_hash", "imported_at", "updated_at")
