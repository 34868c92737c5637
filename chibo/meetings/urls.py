from django.urls import path

from . import views, views_followup, views_meeting, views_papers, views_stats

app_name = "meetings"
urlpatterns = [
    path("plan/<int:pk>/", views.plan, name="plan"),
    path("plan/<int:pk>/day/", views.set_day, name="set_day"),
    path("plan/<int:pk>/year/", views.plan_year, name="plan_year"),
    path("plan/<int:pk>/add/", views.add, name="add"),
    path("<int:pk>/held/", views.held, name="held"),
    path("mine/", views_meeting.mine, name="mine"),
    path("<int:pk>/", views_meeting.detail, name="detail"),
    path("<int:pk>/prepare/", views_meeting.prepare, name="prepare"),
    path("<int:pk>/agenda/", views_meeting.agenda_template, name="agenda_template"),
    path("<int:pk>/documents/", views_meeting.document_add, name="document_add"),
    path("documents/<int:pk>/", views_meeting.document, name="document"),
    path("<int:pk>/notices/", views_meeting.notices, name="notices"),
    path("<int:pk>/print/notice/", views_meeting.print_notice, name="print_notice"),
    path("<int:pk>/print/sheet/", views_meeting.print_sheet, name="print_sheet"),
    path("<int:pk>/hold/", views_meeting.hold, name="hold"),
    path("<int:pk>/hold/attendance/", views_meeting.attendance, name="attendance"),
    path("<int:pk>/hold/record/", views_meeting.held, name="holding"),
    path("<int:pk>/hold/speech/", views_meeting.speech, name="speech"),
    path("<int:pk>/hold/vote/", views_meeting.vote, name="vote"),
]

urlpatterns += [
    path("<int:pk>/papers/<str:kind>/", views_papers.start, name="paper_start"),
    path("papers/<int:pk>/", views_papers.paper, name="paper"),
    path("papers/<int:pk>/edit/", views_papers.edit, name="paper_edit"),
    path("papers/<int:pk>/issue/", views_papers.issue, name="paper_issue"),
    path("papers/<int:pk>/addendum/", views_papers.addendum, name="paper_addendum"),
    path("papers/<int:pk>/<str:fmt>/", views_papers.download, name="paper_file"),
]

urlpatterns += [
    path("follow-up/<int:pk>/", views_followup.compliance, name="follow_up"),
    path("follow-up/<int:pk>/assign/", views_followup.assign, name="follow_up_assign"),
    path("follow-up/end/<int:pk>/", views_followup.end, name="follow_up_end"),
    path("<int:pk>/visit/", views_followup.visit, name="visit"),
    path("<int:pk>/matters/", views_followup.raise_matter, name="matter_raise"),
    path("matters/<int:pk>/", views_followup.matters, name="matters"),
    path("matters/answer/<int:pk>/", views_followup.answer, name="matter_answer"),
]

urlpatterns += [path("stats/<int:pk>/", views_stats.year_stats, name="stats")]
