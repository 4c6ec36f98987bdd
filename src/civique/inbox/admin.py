from django.contrib import admin

from civique.inbox.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "team", "is_public"]
    list_filter = ["team", "is_public"]
    prepopulated_fields = {"slug": ["name"]}
